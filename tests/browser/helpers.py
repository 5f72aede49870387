"""Steps the browser tests share."""

import base64
import time

from django.urls import reverse

PASSWORD = "Qihang-test-2020"


def sign_in(page, base: str, identifier: str) -> None:
    page.goto(base + reverse("accounts:login"))
    page.fill("input[name=username]", identifier)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login" not in page.url, page.inner_text("main")
    second_factor(page, identifier)


def second_factor(page, identifier: str) -> None:
    """Type the TOTP code where the page asks for one (accounts.mfa), as the person's phone
    would show it: on the code page from their device's key, on the binding page from the
    secret the page shows."""
    from django_otp.oath import TOTP

    from qihang.accounts.backends import find_user
    from qihang.accounts.mfa import code_at, confirmed_device, next_code_time

    if reverse("accounts:mfa_verify") in page.url:
        device = confirmed_device(find_user(identifier))
        at = next_code_time(device, time.time())
        # A code is accepted once, and one step early at most: a third sign-in within the
        # same 30 seconds waits for the next step.
        while at - time.time() > device.step * device.tolerance:
            time.sleep(1)
        code = code_at(device, at)
    elif reverse("accounts:mfa_enrol") in page.url:
        secret = page.inner_text("code").replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        code = f"{TOTP(key).token():06d}"
    else:
        return
    page.fill("input[name=code]", code)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/mfa/" not in page.url, page.inner_text("main")


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
