"""Outbox channels: a message goes by e-mail and, when its unit or person has one, to a DingTalk group robot.

Notifications gain ``channel`` (every existing row is e-mail) and their key is unique per channel; units and
users gain a robot webhook and its encrypted signing secret.

Revision ID: 0019_channels
Revises: 0018_acknowledgement
Create Date: 2026-12-02 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019_channels'
down_revision = '0018_acknowledgement'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.Enum('email', 'dingtalk', name='notificationchannel',
                                                         native_enum=False, length=16),
                                      server_default='email', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_notifications_key'), type_='unique')
        batch_op.create_unique_constraint('uq_notifications_key_channel', ['key', 'channel'])

    for table in ('units', 'users'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('dingtalk_webhook', sa.String(length=500), nullable=True))
            batch_op.add_column(sa.Column('dingtalk_secret', sa.String(length=400), nullable=True))


def downgrade():
    for table in ('users', 'units'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('dingtalk_secret')
            batch_op.drop_column('dingtalk_webhook')

    op.execute("DELETE FROM notification_items WHERE notification_id IN "
               "(SELECT id FROM notifications WHERE channel <> 'email')")
    op.execute("DELETE FROM notifications WHERE channel <> 'email'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_notifications_key_channel', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_notifications_key'), ['key'])
        batch_op.drop_column('channel')
