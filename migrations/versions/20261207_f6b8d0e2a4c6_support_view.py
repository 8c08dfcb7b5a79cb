"""support view: reserved for customers, approved wording

Revision ID: f6b8d0e2a4c6
Revises: e5a7b9d1f3c5
Create Date: 2026-12-07 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6b8d0e2a4c6'
down_revision = 'e5a7b9d1f3c5'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
