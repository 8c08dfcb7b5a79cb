"""reminders and reports: reserved

Revision ID: a7c9e1f3b5d7
Revises: f6b8d0e2a4c6
Create Date: 2026-12-07 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c9e1f3b5d7'
down_revision = 'f6b8d0e2a4c6'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
