"""web.content.linkify: escaped text, links for mentions, hashtags and web addresses."""

from web.content import linkify


def test_everything_else_is_escaped():
    assert linkify("<script>alert('x')</script> & \"q\"", []) == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;"
    )


def test_mentions_link_only_the_users_the_tweet_names():
    html = linkify("hi @Bob, @nobody and bob@example.com", ["bob"])
    assert '<a href="/@Bob" class="mention">@Bob</a>' in html
    assert "@nobody" in html and 'href="/@nobody"' not in html
    assert "bob@example.com" in html and html.count("<a ") == 1


def test_hashtags_follow_the_tag_rule():
    html = linkify("#Chirp #123 a#b #ok_2 #" + "x" * 101, [])
    assert '<a href="/tags/chirp" class="tag">#Chirp</a>' in html
    assert '<a href="/tags/ok_2" class="tag">#ok_2</a>' in html
    assert html.count("<a ") == 2


def test_web_addresses_without_the_sentence_punctuation():
    html = linkify("see https://example.com/a?b=1&c=2. (https://x.org/(y)) and http://a.b/c)", [])
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener ugc" class="ext">' in html
    assert "example.com/a?b=1&amp;c=2</a>." in html
    assert 'href="https://x.org/(y)"' in html
    assert 'href="http://a.b/c"' in html
    assert 'href="javascript:' not in linkify("javascript:alert(1) http://ok", [])


def test_long_addresses_are_shortened_on_screen_only():
    url = "https://example.com/" + "a" * 80
    html = linkify(url, [])
    assert f'href="{url}"' in html and "\u2026</a>" in html


def test_text_without_a_possible_link_is_only_escaped():
    assert (
        linkify("plain <b>words</b> & 'quotes'", ["plain"]) == "plain &lt;b&gt;words&lt;/b&gt; &amp; &#x27;quotes&#x27;"
    )
    # each kind still found when its character is there
    assert 'href="/@bob"' in linkify("hi @bob", ["bob"]) and 'href="/tags/x"' in linkify("#x", [])
    assert 'href="http://a.example"' in linkify("see http://a.example", [])
