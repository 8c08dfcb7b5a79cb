"""public_version: a counter of committed public changes, so web processes rebuild only on change

Revision ID: d0f2b4c6e8a1
Revises: c9e1a3b5d7f9
Create Date: 2026-12-07 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd0f2b4c6e8a1'
down_revision = 'c9e1a3b5d7f9'
branch_labels = None
depends_on = None


def upgrade():
    # No seed row: the first public change inserts it (see statuspage/public/version.py).
    op.create_table('public_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_version'))
    )


def downgrade():
    op.drop_table('public_version')
