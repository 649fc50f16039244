"""ambassadors and consent

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 08:46:37.730887
"""
from alembic import op
import sqlalchemy as sa
import advocacy.models.base
import hashlib
from datetime import datetime, timezone


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


# Version 1 of every consent text, in French and English. Admins publish
# later versions from the admin pages; these stay as the historical v1.
DEFAULT_TEXTS = {
    "membership": {
        "fr": ("Charte des ambassadeurs", """Le programme d'ambassadeurs permet à des collègues volontaires de partager, sur leurs propres réseaux et avec leurs propres mots, des publications de l'organisation qui leur sont utiles.

Ce que nous vous proposons : un rôle bénévole d'environ 2 à 4 heures par mois, à votre rythme, pour un mandat de 12 mois renouvelable. Pas d'objectif, pas de quota, pas de classement : vous partagez quand et ce que vous voulez.

Ce que nous attendons : que vous partagiez ce qui vous semble juste, avec vos mots, dans le respect des règles de chaque réseau et de la confidentialité de l'organisation.

Vos droits : vous choisissez séparément chaque usage de vos données (attribution de vos partages, e-mail récapitulatif, annuaire, remerciements nominatifs) et pouvez changer d'avis à tout moment. Vous pouvez mettre votre participation en pause, quitter le programme, télécharger toutes vos données ou les effacer. Les liens suivis ne vous identifient jamais et personne ne voit qui a partagé quoi."""),
        "en": ("Ambassador charter", """The ambassador program lets volunteer colleagues share, on their own networks and in their own words, posts from the organisation that are useful to them.

What we offer: a volunteer role of about 2 to 4 hours a month, at your own pace, for a renewable 12-month mandate. No targets, no quotas, no rankings: you share when and what you want.

What we ask: that you share what feels right to you, in your own words, respecting each network's rules and the organisation's confidentiality.

Your rights: you choose each use of your data separately (attribution of your shares, digest e-mail, directory, thanks by name) and can change your mind at any time. You can pause, leave the program, download all your data or erase it. Tracked links never identify you and nobody sees who shared what."""),
    },
    "share_attribution": {
        "fr": ("Compter mes partages à mon nom", """Quand vous indiquez avoir partagé une publication, le partage est compté pour le programme dans tous les cas. Si vous acceptez, il est aussi enregistré à votre nom pour que vous retrouviez votre propre historique. L'équipe ne voit jamais qui a partagé quoi : elle ne voit que des totaux. Si vous retirez ce consentement, vos partages déjà enregistrés sont détachés de votre nom."""),
        "en": ("Count my shares as mine", """When you say you shared a post, the share is counted for the program in any case. If you agree, it is also recorded under your name so that you can see your own history. The team never sees who shared what: it only sees totals. If you withdraw this consent, the shares already recorded are detached from your name."""),
    },
    "digest": {
        "fr": ("E-mail récapitulatif hebdomadaire", """Une fois par semaine, un e-mail avec les publications mises en avant et quelques nouveautés qui correspondent à vos besoins et sujets. Chaque e-mail contient un lien de désinscription en un clic. Aucun e-mail pendant une pause."""),
        "en": ("Weekly digest e-mail", """Once a week, an e-mail with the highlighted posts and a few new ones that match your needs and topics. Every e-mail has a one-click unsubscribe link. No e-mail while you are paused."""),
    },
    "directory": {
        "fr": ("Annuaire des ambassadeurs", """Votre nom, votre service et les réseaux que vous utilisez apparaissent dans l'annuaire visible par les autres ambassadeurs et l'équipe, pour que vos collègues sachent à qui s'adresser."""),
        "en": ("Ambassador directory", """Your name, your department and the networks you use appear in the directory seen by the other ambassadors and the team, so that colleagues know whom to ask."""),
    },
    "named_thanks": {
        "fr": ("Remerciements nominatifs", """L'équipe peut vous remercier nommément dans un message adressé au réseau des ambassadeurs. Sans ce consentement, les remerciements restent collectifs."""),
        "en": ("Thanks by name", """The team may thank you by name in a message to the ambassador network. Without this consent, thanks stay collective."""),
    },
}


def _digest(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def seed_texts() -> None:
    table = sa.table(
        "consent_texts",
        sa.column("purpose", sa.String), sa.column("version", sa.Integer), sa.column("language", sa.String),
        sa.column("title", sa.String), sa.column("body", sa.Text), sa.column("sha256", sa.String),
        sa.column("mandate_months", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(timezone.utc)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    op.bulk_insert(table, [
        {"purpose": purpose, "version": 1, "language": language, "title": title, "body": body,
         "sha256": _digest(title, body), "mandate_months": 12 if purpose == "membership" else None,
         "created_at": now}
        for purpose, languages in DEFAULT_TEXTS.items()
        for language, (title, body) in languages.items()
    ])


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('name', name=op.f('uq_departments_name'))
    )
    op.create_table('ambassador_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('mandate_ends_on', sa.Date(), nullable=False),
    sa.Column('paused_until', sa.Date(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('networks', sa.JSON(), nullable=False),
    sa.Column('mastodon_instance', sa.String(length=253), nullable=True),
    sa.Column('left_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_ambassador_profiles_department_id_departments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ambassador_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_ambassador_profiles'))
    )
    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('membership', 'share_attribution', 'digest', 'directory', 'named_thanks', name='consent_purpose', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('text_version', sa.Integer(), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.Enum('web', 'email', name='consent_channel', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_consent_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.create_index('ix_consent_records_purpose', ['purpose', 'user_id', 'id'], unique=False)
        batch_op.create_index('ix_consent_records_user_purpose', ['user_id', 'purpose', 'id'], unique=False)

    op.create_table('consent_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('membership', 'share_attribution', 'digest', 'directory', 'named_thanks', name='consent_purpose', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mandate_months', sa.Integer(), nullable=True),
    sa.Column('created_at', advocacy.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_consent_texts_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_texts')),
    sa.UniqueConstraint('purpose', 'version', 'language', name=op.f('uq_consent_texts_purpose_version_language'))
    )
    # ### end Alembic commands ###
    seed_texts()


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('consent_texts')
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_records_user_purpose')
        batch_op.drop_index('ix_consent_records_purpose')

    op.drop_table('consent_records')
    op.drop_table('ambassador_profiles')
    op.drop_table('departments')
    # ### end Alembic commands ###
