"""text_of: the words a scenario's ``contains`` matches on."""

from sandbox.core.wa_message import text_of


def test_media_caption_is_the_text():
    assert text_of("image", {"link": "https://x.example/a.jpg", "caption": "A cat"}) == "A cat"


def test_null_caption_has_no_words():
    assert text_of("image", {"link": "https://x.example/a.jpg", "caption": None}) == ""
