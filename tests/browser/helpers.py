"""Steps the browser tests share."""

from django.urls import reverse

PASSWORD = "Qihang-test-2020"


def sign_in(page, base: str, identifier: str) -> None:
    page.goto(base + reverse("accounts:login"))
    page.fill("input[name=username]", identifier)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login" not in page.url, page.inner_text("main")


def no_horizontal_overflow(page) -> list[str]:
    """Elements wider than the viewport that make the page scroll sideways (none expected).

    Content inside a scroll container of its own (.table-responsive) is allowed to be wider.
    """
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const out = [];
          if (document.documentElement.scrollWidth > width + 1) out.push('document ' + document.documentElement.scrollWidth + 'px');
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            let inner = el.parentElement, scrolled = false;
            while (inner) {
              const s = getComputedStyle(inner).overflowX;
              if (s === 'auto' || s === 'scroll' || s === 'hidden') { scrolled = true; break; }
              inner = inner.parentElement;
            }
            if (!scrolled && r.right > width + 1) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className + ' right=' + Math.round(r.right));
          }
          return out.slice(0, 10);
        }"""
    )
