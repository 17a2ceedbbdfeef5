"""The voter fixtures (an open election, a way to register people) for the voter API tests."""

from renda.voters.tests.conftest import election, register_voter

__all__ = ["election", "register_voter"]
