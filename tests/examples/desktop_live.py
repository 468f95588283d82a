#!/usr/bin/env python3
"""The agent desktop after its page loaded, as a person sees it next.

An alert raised while the page is open shows up without a reload, and a
click on a feedback button reaches the engine. Drives headless Chromium
through the DevTools protocol on a pipe (--remote-debugging-pipe: no port to
pick, no WebSocket library), and polls with generous deadlines rather than
sleeping, so that a loaded machine is slow rather than failing.

Usage: desktop_live.py CHROMIUM URL PROFILE_DIR EVENT_JSON
  URL         the desktop's address, "http://127.0.0.1:PORT/"
  EVENT_JSON  an event that raises a proactive alert for its customer,
              recorded once the page is showing C-ANA

Prints a line per failed check and exits 1 when one failed, else 0.
"""

import fcntl
import json
import os
import select
import subprocess
import sys
import time
import urllib.request

DEADLINE_S = 60  # per step: the page polls alerts every 2 s


class Failed(Exception):
    pass


class DevTools:
    """One Chromium over its DevTools pipe: JSON messages ended by NUL, our
    commands on its fd 3, its answers and events on its fd 4."""

    def __init__(self, chromium, profile):
        to_child, self._commands = os.pipe()
        self._answers, from_child = os.pipe()

        def give_fds():
            # Both out of the way first: either may be 3 or 4 already, and
            # dup2 onto itself would leave it closed on exec.
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
                    for fd in (to_child, from_child)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self._process = subprocess.Popen(
            [chromium, "--headless=new", "--disable-gpu", "--no-sandbox",
             "--remote-debugging-pipe", "--user-data-dir=" + profile,
             "--window-size=1280,900", "about:blank"],
            preexec_fn=give_fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self._next_id = 0
        self._buffer = b""
        self.session = None

    def call(self, method, params=None, session=True):
        self._next_id += 1
        message = {"id": self._next_id, "method": method,
                   "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        try:
            os.write(self._commands, json.dumps(message).encode() + b"\0")
        except OSError as error:
            raise Failed("Chromium is gone: %s" % error)
        deadline = time.monotonic() + DEADLINE_S
        while True:
            answer = self._read(deadline)
            if answer.get("id") != self._next_id:
                continue  # an event, which nothing here waits for
            if "error" in answer:
                raise Failed("%s: %s" % (method, answer["error"]))
            return answer.get("result", {})

    def _read(self, deadline):
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._answers], [], [], left)[0]:
                raise Failed("Chromium did not answer in %d s" % DEADLINE_S)
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise Failed("Chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, url):
        target = self.call("Target.createTarget", {"url": "about:blank"})
        attached = self.call("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True})
        self.session = attached["sessionId"]
        self.call("Page.navigate", {"url": url})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate",
                           {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise Failed("%s: %s" % (expression, result["exceptionDetails"]))
        return result["result"].get("value")

    def wait_for(self, expression, what):
        """Polls `expression` in the page until it is truthy; its value."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise Failed("%s: not after %d s" % (what, DEADLINE_S))
            time.sleep(0.2)

    def click(self, selector):
        """Clicks the middle of the element as a mouse would."""
        x, y = self.evaluate(
            "(() => { const e = document.querySelector(%s);"
            " e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
            % json.dumps(selector))
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left",
                       "clickCount": 1})

    def close(self):
        try:
            self.call("Browser.close", session=False)
            self._process.wait(timeout=DEADLINE_S)
        except (Failed, OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()


def api(url, path, body=None):
    request = urllib.request.Request(url + path.lstrip("/"))
    if body is not None:
        request.data = body.encode()
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=DEADLINE_S) as response:
        return json.load(response)


def text_of(element_id):
    return "document.getElementById(%s).textContent" % json.dumps(element_id)


def run(browser, url, event):
    customer = json.loads(event)["customer_id"]
    browser.open(url + "?id=C-ANA&channel=voice&topic=billing")
    accept = '#action-list [data-outcome="accepted"]'
    browser.wait_for("document.querySelector(%s) !== null" % json.dumps(accept),
                     "the page shows Ana's next-best actions")
    failures = []
    if customer in browser.evaluate(text_of("alert-list")):
        failures.append("the alert for %s was there before it was raised"
                        % customer)
    # A mark on this document, which a reload would lose.
    browser.evaluate("window.liveMark = 'before the alert'")

    # An alert raised after the page loaded arrives without a reload.
    if not api(url, "/api/events", event).get("stored"):
        raise Failed("the event that raises the alert was not recorded")
    browser.wait_for("%s.includes(%s)" % (text_of("alert-list"),
                                          json.dumps(" for " + customer + ",")),
                     "the alert for %s shows up live" % customer)
    if (browser.evaluate("window.liveMark") != "before the alert" or
            browser.evaluate(text_of("customer-id")) != "C-ANA"):
        failures.append("the page reloaded or lost its customer")

    # A click on "accepted" records the feedback on the decision shown.
    shown = browser.evaluate(text_of("decision-id"))  # "decision ID, ruleset V"
    decision = shown.split()[1].rstrip(",")
    browser.click(accept)
    browser.wait_for("document.querySelector('#action-list .note')"
                     ".textContent === 'recorded: accepted'",
                     "the page confirms the feedback")
    recent = api(url, "/api/customer?id=C-ANA")["context"].get(
        "recent_events", [])
    if not any(e.get("type") == "decision_feedback" and
               e.get("attributes", {}).get("decision_id") == decision and
               e.get("attributes", {}).get("outcome") == "accepted"
               for e in recent):
        failures.append("the engine has no accepted feedback on decision %s: %s"
                        % (decision, json.dumps(recent)[:400]))
    return failures


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    chromium, url, profile, event = sys.argv[1:]
    browser = DevTools(chromium, profile)
    try:
        failures = run(browser, url, event)
    except Failed as failure:
        failures = [str(failure)]
    finally:
        browser.close()
    for failure in failures:
        print("FAIL: " + failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
