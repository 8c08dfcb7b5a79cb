"""alerts in: reserved for the alerts-in work (integrations, hooks)

Revision ID: e5a7b9d1f3c5
Revises: d4f6a8c0e2b4
Create Date: 2026-12-07 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a7b9d1f3c5'
down_revision = 'd4f6a8c0e2b4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
