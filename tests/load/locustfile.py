"""A live meeting under load: members keep the reading open (polling), read
threads and post replies; one facilitator advances the agenda. Driven by
tests/load/run.py, which seeds the data and passes it in MARGINALIA_LOAD."""

import json
import os
import random
import re
import uuid

from locust import HttpUser, between, constant, events, task

SETUP = json.loads(os.environ["MARGINALIA_LOAD"])
POSTED: list[str] = []  # every reply marker a member posted, checked afterwards


class Signed(HttpUser):
    abstract = True
    sessions = SETUP["members"]

    def on_start(self):
        # Signed in already: a session made for this person by run.py.
        self.client.cookies.set("sessionid", self.sessions.pop())
        self.client.cookies.set("csrftoken", SETUP["csrf"])


class Member(Signed):
    wait_time = between(1.5, 2.5)

    def on_start(self):
        super().on_start()
        self.open_reading()

    def open_reading(self):
        page = self.client.get(SETUP["reading_url"], name="reading page").text
        url, version = re.search(
            r'data-live-url="([^"]+)" data-live-version="(\d+)"', page
        ).groups()
        self.live_url = url.replace("&amp;", "&")
        self.version = f'"{version}"'

    @task(8)
    def poll(self):
        with self.client.get(
            self.live_url, headers={"If-None-Match": self.version}, name="poll", catch_response=True
        ) as response:
            if response.status_code in (200, 304):
                self.version = response.headers.get("ETag", self.version)
                response.success()

    @task(2)
    def read_thread(self):
        thread = random.choice(SETUP["threads"])
        self.client.get(
            f"{SETUP['reading_url']}t/{thread}/", headers={"HX-Request": "true"}, name="thread"
        )

    @task(1)
    def reply(self):
        thread = random.choice(SETUP["threads"])
        marker = f"load-{uuid.uuid4().hex}"
        with self.client.post(
            f"{SETUP['reading_url']}t/{thread}/reply/",
            data={"body": f"A reply {marker}", "csrfmiddlewaretoken": SETUP["csrf"]},
            allow_redirects=False,
            name="reply",
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                POSTED.append(marker)
                response.success()
            else:
                response.failure(f"reply answered {response.status_code}")


class Facilitator(Signed):
    fixed_count = 1
    sessions = [SETUP["facilitator"]]
    wait_time = constant(8)

    @task
    def advance(self):
        self.step = "previous" if getattr(self, "step", "") == "next" else "next"
        with self.client.post(
            SETUP["meeting_url"],
            data={"action": self.step, "csrfmiddlewaretoken": SETUP["csrf"]},
            allow_redirects=False,
            name="meeting next/previous",
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()


@events.test_stop.add_listener
def save_posted(**kwargs):
    with open(SETUP["posted_file"], "w") as out:
        json.dump(POSTED, out)
