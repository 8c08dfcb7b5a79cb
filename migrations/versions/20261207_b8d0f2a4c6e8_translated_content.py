"""translated incident content: incident, update and template translations

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
    op.create_table('incident_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('postmortem_body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_translation_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_translation')),
    sa.UniqueConstraint('incident_id', 'locale', name=op.f('uq_incident_translation_incident_id'))
    )
    with op.batch_alter_table('incident_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_translation_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_update_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['update_id'], ['incident_update.id'], name=op.f('fk_incident_update_translation_update_id_incident_update'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_update_translation')),
    sa.UniqueConstraint('update_id', 'locale', name=op.f('uq_incident_update_translation_update_id'))
    )
    with op.batch_alter_table('incident_update_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_update_translation_update_id'), ['update_id'], unique=False)

    op.create_table('message_template_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['message_template.id'], name=op.f('fk_message_template_translation_template_id_message_template'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_template_translation')),
    sa.UniqueConstraint('template_id', 'locale', name=op.f('uq_message_template_translation_template_id'))
    )
    with op.batch_alter_table('message_template_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_template_translation_template_id'), ['template_id'], unique=False)


def downgrade():
    with op.batch_alter_table('message_template_translation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_template_translation_template_id'))

    op.drop_table('message_template_translation')
    with op.batch_alter_table('incident_update_translation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_update_translation_update_id'))

    op.drop_table('incident_update_translation')
    with op.batch_alter_table('incident_translation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_translation_incident_id'))

    op.drop_table('incident_translation')
