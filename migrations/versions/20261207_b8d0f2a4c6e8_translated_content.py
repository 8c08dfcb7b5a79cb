"""translated incident content: reserved

Revision ID: b8d0f2a4c6e8
Revises: a7c9e1f3b5d7
Create Date: 2026-12-07 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d0f2a4c6e8'
down_revision = 'a7c9e1f3b5d7'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
