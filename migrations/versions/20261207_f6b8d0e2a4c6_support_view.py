"""support view: approved customer wording and ETA per incident

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
    op.create_table('support_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('internal_incident_id', sa.Integer(), nullable=True),
    sa.Column('expected_resolution_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=320), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(incident_id IS NULL) <> (internal_incident_id IS NULL)', name=op.f('ck_support_note_one_incident')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_support_note_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['internal_incident_id'], ['internal_incident.id'], name=op.f('fk_support_note_internal_incident_id_internal_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_note')),
    sa.UniqueConstraint('incident_id', name=op.f('uq_support_note_incident_id')),
    sa.UniqueConstraint('internal_incident_id', name=op.f('uq_support_note_internal_incident_id'))
    )
    op.create_table('approved_wording',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=320), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['support_note.id'], name=op.f('fk_approved_wording_note_id_support_note'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approved_wording')),
    sa.UniqueConstraint('note_id', 'locale', name='uq_approved_wording_locale')
    )
    with op.batch_alter_table('approved_wording', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approved_wording_note_id'), ['note_id'], unique=False)


def downgrade():
    with op.batch_alter_table('approved_wording', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approved_wording_note_id'))

    op.drop_table('approved_wording')
    op.drop_table('support_note')
