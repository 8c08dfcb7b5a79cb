"""maintenance cancellation

Revision ID: b2d4f6a8c0e2
Revises: a1c3e5f7b9d1
Create Date: 2026-11-25 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2d4f6a8c0e2'
down_revision = 'a1c3e5f7b9d1'
branch_labels = None
depends_on = None


def upgrade():
    # Both columns are nullable: existing windows were never cancelled.
    with op.batch_alter_table('maintenance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_maintenance_cancelled_by_id_user'),
            'user',
            ['cancelled_by_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('maintenance', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_maintenance_cancelled_by_id_user'), type_='foreignkey')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_column('cancelled_at')
