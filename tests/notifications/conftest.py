from dataclasses import dataclass

import pytest

from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    coordinator_of,
    representative_of,
)
from tests.notifications.smtp import SMTPServer, free_port


@dataclass
class Proposal:
    """A draft of Tøyen leksehjelp to Oslo, whose three coordinators are told on submit."""

    oslo: object
    organisation: object
    representative: object
    coordinators: list
    draft: object

    @property
    def addresses(self) -> list[str]:
        return sorted(c.email for c in self.coordinators)


def make_proposal() -> Proposal:
    oslo = MunicipalityFactory(name="Oslo")
    organisation = OrganisationFactory(name="Tøyen leksehjelp")
    return Proposal(
        oslo=oslo,
        organisation=organisation,
        representative=representative_of(organisation, email="rep@example.org"),
        coordinators=[
            coordinator_of(oslo, email=f"{name}@oslo.example.org")
            for name in ("anna", "bjorn", "cecilie")
        ],
        draft=PartnershipFactory(
            title="Leksehjelp på Tøyen",
            status="draft",
            start_date=None,
            links__municipalities=[oslo],
            links__organisations={organisation: "lead"},
        ),
    )


@pytest.fixture
def proposal(db) -> Proposal:
    return make_proposal()


def use_smtp(settings, port: int) -> None:
    """Send real SMTP to 127.0.0.1:``port`` (the test settings use the locmem backend)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp(settings):
    """A real SMTP server that counts messages; the settings point at it."""
    with SMTPServer() as server:
        use_smtp(settings, server.port)
        yield server


@pytest.fixture
def closed_port(settings) -> int:
    """A port with no mail server behind it; the settings point at it."""
    port = free_port()
    use_smtp(settings, port)
    return port


@pytest.fixture
def embedded():
    """The embedded default, whatever the environment: no broker, tasks run in-process."""
    from registry.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
