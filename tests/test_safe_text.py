"""The safe-text rule (rules/safe_text.py) on the hostile names of issue 13: what a person or a
venue typed reaches Streamlit's Markdown and Plotly/folium's HTML as text, never as markup.
tests/browser/test_hostile_names_browser.py checks the same names as Chromium renders them."""

import pytest

from rules import safe_text

WJ = "\u2060"  # the word joiner that breaks shortcodes and bare links

IMAGE_AND_DIRECTIVES = "![x](http://evil.example/case.png) Ca :red[Đỏ] $$x^2$$"
LINK = '<a href="http://evil.example/lan">Lan</a>'
STYLED = '<span style="font-size:60px">Hùng</span>'
BARE_URLS = "Quán http://evil.example và www.evil.example"
SHORTCODES = "Bà :smile: :material/search: a@evil.example"

HOSTILE = [IMAGE_AND_DIRECTIVES, LINK, STYLED, BARE_URLS, SHORTCODES]


def test_an_image_a_colour_and_latex_in_a_name_become_escaped_text():
    assert safe_text.markdown(IMAGE_AND_DIRECTIVES) == (
        rf"\!\[x\]\(http\:{WJ}//evil\.example/case\.png\) Ca \:{WJ}red\[Đỏ\] \$\$x\^2\$\$"
    )


def test_html_tags_in_a_name_become_escaped_text_in_markdown():
    assert safe_text.markdown(LINK) == (rf"\<a href\=\"http\:{WJ}//evil\.example/lan\"\>Lan\</a\>")
    assert safe_text.markdown(STYLED) == (rf"\<span style\=\"font\-size\:{WJ}60px\"\>Hùng\</span\>")


def test_bare_urls_are_broken_so_markdown_does_not_link_them():
    assert safe_text.markdown(BARE_URLS) == (
        rf"Quán http\:{WJ}//evil\.example và www{WJ}\.evil\.example"
    )
    assert safe_text.markdown("WWW.evil.example") == rf"WWW{WJ}\.evil\.example"


def test_shortcodes_and_e_mail_addresses_are_broken_too():
    assert safe_text.markdown(SHORTCODES) == (
        rf"Bà \:{WJ}smile\:{WJ} \:{WJ}material/search\:{WJ} a@{WJ}evil\.example"
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_leaves_no_special_character_unescaped(text):
    shown = safe_text.markdown(text)
    for mark in "[]()<>$*_`!:#|~=":
        assert shown.count(mark) == shown.count("\\" + mark), mark
    assert "://" not in shown and "www." not in shown.lower()


def test_markdown_makes_a_name_one_line():
    assert safe_text.markdown("Nguyễn\n# Văn\t\tA ") == r"Nguyễn \# Văn A"


def test_an_ordinary_vietnamese_name_is_unchanged_by_both():
    assert safe_text.markdown("Trần Thị Bích Ngọc") == "Trần Thị Bích Ngọc"
    assert safe_text.html("Trần Thị Bích Ngọc") == "Trần Thị Bích Ngọc"


def test_html_escapes_tags_and_quotes_for_plotly_and_folium():
    assert safe_text.html(LINK) == "&lt;a href=&#34;http://evil.example/lan&#34;&gt;Lan&lt;/a&gt;"
    assert safe_text.html(STYLED) == (
        "&lt;span style=&#34;font-size:60px&#34;&gt;Hùng&lt;/span&gt;"
    )
    assert safe_text.html("A&amp;B <b>x</b>\n<br>") == "A&amp;amp;B &lt;b&gt;x&lt;/b&gt; &lt;br&gt;"
    assert safe_text.html("O'Neil") == "O&#39;Neil"
