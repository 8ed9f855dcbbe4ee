"""What a scripted or inbox user types into an address form: Faker's multi-line street addresses
arrive on one line with their spaces (a form field drops line breaks: "61/226Guha Road")."""

from __future__ import annotations

from faker import Faker

from sandbox.providers.meta.messages.inbound import address_reply, fake_location, one_line


def test_a_multi_line_street_address_is_joined_with_a_comma_and_a_space():
    assert one_line("61/226\nGuha Road") == "61/226, Guha Road"
    assert one_line("H.No. 83\nSinghal Ganj\nSikar 328601") == "H.No. 83, Singhal Ganj, Sikar 328601"


def test_address_form_values_are_single_line_for_every_seed():
    fake = Faker("en_IN")
    broken = 0
    for seed in range(60):
        fake.seed_instance(seed)
        broken += "\n" in fake.street_address()  # en_IN writes about half of them over two lines
        fake.seed_instance(seed)
        reply = address_reply("IN", {}, {}, fake, name="Priya Sharma", phone="+919876500012")
        values = reply["nfm_reply"]["response_json"]
        assert "\\n" not in values, values
    assert broken  # the seeds above do exercise the multi-line form


def test_a_shared_location_address_is_one_line():
    fake = Faker("en_IN")
    for seed in range(20):
        fake.seed_instance(seed)
        assert "\n" not in fake_location(fake)["address"]
