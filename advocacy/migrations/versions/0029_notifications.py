"""notifications: two consent purposes (e-mail, in-app), the notifications and each person's e-mail rhythm

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 19:00:00

The consent purposes gain notify_email and notify_in_app, with their first
texts in French and English; nobody has either until they grant it.
"""
from datetime import datetime, timezone
import hashlib

from alembic import op
import sqlalchemy as sa
import advocacy.models.base


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

OLD_PURPOSES = ('membership', 'share_attribution', 'digest', 'directory', 'named_thanks')
NEW_PURPOSES = (*OLD_PURPOSES, 'notify_email', 'notify_in_app')

TEXTS = {
    "notify_email": {
        "fr": ("Notifications par e-mail", """Un e-mail qui regroupe ce qui vous concerne : une réponse à un retour que vous avez signé, les résultats d'un sondage, une nouvelle publication mise en avant. Au plus un par jour, ou au rythme que vous choisissez. Chaque e-mail contient un lien de désinscription en un clic. L'avis de fin de mandat reste un e-mail à part, envoyé une seule fois."""),
        "en": ("Notifications by e-mail", """One e-mail grouping what concerns you: an answer to feedback you signed, survey results, a new highlighted post. At most one a day, or at the rhythm you choose. Every e-mail has a one-click unsubscribe link. The notice that your mandate ends stays a separate e-mail, sent once."""),
    },
    "notify_in_app": {
        "fr": ("Notifications dans Relais", """Une liste sous « Moi » et un petit compteur dans le menu : une réponse à un retour que vous avez signé, les résultats d'un sondage, une nouvelle publication mise en avant, la fin prochaine de votre mandat. Rien n'est envoyé hors de Relais."""),
        "en": ("Notifications in Relais", """A list under "Me" and a small count in the menu: an answer to feedback you signed, survey results, a new highlighted post, your mandate ending soon. Nothing is sent outside Relais."""),
    },
}


def _purpose_type(values):
    return sa.Enum(*values, name='consent_purpose', native_enum=False, create_constraint=True, length=24)


def _set_purposes(old, new) -> None:
    for table in ('consent_texts', 'consent_records'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('purpose', existing_type=_purpose_type(old), type_=_purpose_type(new),
                                  existing_nullable=False)


def upgrade() -> None:
    _set_purposes(OLD_PURPOSES, NEW_PURPOSES)
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('feedback_reply', 'survey_results', 'highlight', 'mandate_ending',
                              name='notification_kind', native_enum=False, create_constraint=True, length=16),
              nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.Enum('email', 'in_app', name='notification_channel', native_enum=False,
                                 create_constraint=True, length=16), nullable=False),
    sa.Column('created_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'kind', 'reference', 'channel', name=op.f('uq_notifications_user_id_kind_reference_channel'))
    )
    op.create_index('ix_notifications_user_channel_read', 'notifications', ['user_id', 'channel', 'read_at'])
    op.create_index('ix_notifications_channel_created', 'notifications', ['channel', 'created_at'])
    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.Enum('daily', 'weekly', 'soon', name='email_frequency', native_enum=False,
                                   create_constraint=True, length=16), nullable=False),
    sa.Column('last_emailed_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )
    _seed_texts()


def _seed_texts() -> None:
    table = sa.table(
        "consent_texts",
        sa.column("purpose", sa.String), sa.column("version", sa.Integer), sa.column("language", sa.String),
        sa.column("title", sa.String), sa.column("body", sa.Text), sa.column("sha256", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(timezone.utc)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    op.bulk_insert(table, [
        {"purpose": purpose, "version": 1, "language": language, "title": title, "body": body,
         "sha256": hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest(), "created_at": now}
        for purpose, languages in TEXTS.items() for language, (title, body) in languages.items()
    ])


def downgrade() -> None:
    op.drop_table('notification_settings')
    op.drop_index('ix_notifications_channel_created', table_name='notifications')
    op.drop_index('ix_notifications_user_channel_read', table_name='notifications')
    op.drop_table('notifications')
    purposes = sa.table('consent_texts', sa.column('purpose', sa.String))
    records = sa.table('consent_records', sa.column('purpose', sa.String))
    op.execute(records.delete().where(records.c.purpose.in_(TEXTS)))
    op.execute(purposes.delete().where(purposes.c.purpose.in_(TEXTS)))
    _set_purposes(NEW_PURPOSES, OLD_PURPOSES)
