"""The local page a browser is given instead of a URL: private, and it leads exactly there."""

import os
import stat

from hypothesis import given, settings
from hypothesis import strategies as st
from sso_fixtures import follow_page

from ssoenv.base.browserpage import Page

URLS = st.builds(
    lambda path, query: "https://signin.aws.amazon.com/%s?%s" % (path, query),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=80),
)


@settings(max_examples=60, deadline=None)
@given(URLS)
def test_the_page_leads_the_browser_to_exactly_the_url(url):
    with Page(url) as page:
        assert follow_page(page.url) == url
        assert stat.S_IMODE(os.stat(page.path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(page.directory).st_mode) == 0o700
    assert not os.path.exists(page.directory)


def test_a_page_left_for_later_is_removed_by_then():
    page = Page("https://signin.aws.amazon.com/federation?SigninToken=x")
    page.remove_later(0.2)
    # The detached process removes it; wait for that, not for a time.
    import time

    deadline = time.monotonic() + 30
    while os.path.exists(page.directory) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(page.directory)


def test_a_page_a_killed_command_left_is_removed_by_the_next():
    from ssoenv.base import browserpage

    old = Page("https://signin.aws.amazon.com/federation?SigninToken=old")
    try:
        long_ago = os.stat(old.directory).st_mtime - browserpage.STALE_SECONDS - 60
        os.utime(old.directory, (long_ago, long_ago))
        recent = Page("https://signin.aws.amazon.com/federation?SigninToken=recent")
        with Page("https://signin.aws.amazon.com/federation?SigninToken=new"):
            assert not os.path.exists(old.directory)
            assert os.path.exists(recent.directory)
        recent.remove()
    finally:
        old.remove()
