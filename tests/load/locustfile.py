"""Live meetings under load: in each group members keep the reading open
(polling every two seconds or so, as the page does), open a thread about every
20 s and post a reply about once a minute (50 replies a minute in each group of
50, a lively meeting); the group's facilitator moves to the next or previous
question every 20 s. Each simulated person uses the app server run.py gave them, as a load
balancer would. Driven by tests/load/run.py, which seeds the data and passes
it in MARGINALIA_LOAD."""

import json
import os
import random
import re
import statistics
import time
import uuid
from collections import Counter, defaultdict
from urllib.parse import urlsplit

from gevent.event import Event
from locust import HttpUser, between, constant, events, task

SETUP = json.loads(os.environ["MARGINALIA_LOAD"])
POSTED: list[str] = []  # every reply marker a member saw posted, checked afterwards
# Each request's time and each failure, by app server: locust's statistics do
# not split by host.
TIMES: dict[str, list[float]] = defaultdict(list)
FAILURES: Counter = Counter()
STOPPING = Event()
# The times of the requests begun once every member had arrived (and so had
# loaded their reading page), and when that was.
SETTLED: list[float] = []
ARRIVED: list[float] = []


class Signed(HttpUser):
    abstract = True
    people: list[dict]

    def __init__(self, *args, **kwargs):
        # Who this is and which server they use, before the client is made for it.
        self.person = self.people.pop()
        self.host = self.person["host"]
        self.meeting = SETUP["groups"][self.person["group"]]
        super().__init__(*args, **kwargs)

    def on_start(self):
        # Signed in already: a session made for this person by run.py.
        self.client.cookies.set("sessionid", self.person["session"])
        self.client.cookies.set("csrftoken", SETUP["csrf"])


class Member(Signed):
    people = SETUP["members"]
    wait_time = between(1.5, 2.5)

    def on_start(self):
        super().on_start()
        self.open_reading()

    def open_reading(self):
        page = self.client.get(self.meeting["reading_url"], name="reading page").text
        url, version = re.search(
            r'data-live-url="([^"]+)" data-live-version="(\d+)"', page
        ).groups()
        self.live_url = url.replace("&amp;", "&")
        self.version = f'"{version}"'

    @task(26)
    def poll(self):
        with self.client.get(
            self.live_url, headers={"If-None-Match": self.version}, name="poll", catch_response=True
        ) as response:
            if response.status_code in (200, 304):
                self.version = response.headers.get("ETag", self.version)
                # Counted apart: "nothing new" costs one query, news a render.
                news = response.status_code == 200
                response.request_meta["name"] = "poll: news" if news else "poll: nothing new"
                response.success()

    @task(3)
    def read_thread(self):
        thread = random.choice(self.meeting["threads"])
        url = f"{self.meeting['reading_url']}t/{thread}/"
        self.client.get(url, headers={"HX-Request": "true"}, name="thread")

    @task(1)
    def reply(self):
        if STOPPING.is_set():
            # locust may drop a request begun as it stops its users: the reply
            # would be stored with nobody told.
            return
        thread = random.choice(self.meeting["threads"])
        marker = f"load-{uuid.uuid4().hex}"
        with self.client.post(
            f"{self.meeting['reading_url']}t/{thread}/reply/",
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
    people = SETUP["facilitators"]
    fixed_count = len(people)
    wait_time = constant(20)

    @task
    def advance(self):
        self.step = "previous" if getattr(self, "step", "") == "next" else "next"
        with self.client.post(
            self.meeting["meeting_url"],
            data={"action": self.step, "csrfmiddlewaretoken": SETUP["csrf"]},
            allow_redirects=False,
            name="meeting next/previous",
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()


@events.test_stopping.add_listener
def stopping(**kwargs):
    STOPPING.set()


@events.spawning_complete.add_listener
def arrived(**kwargs):
    ARRIVED.append(time.time())


@events.request.add_listener
def note_server(url, response_time, exception, start_time, **kwargs):
    server = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    TIMES[server].append(response_time)
    if exception:
        FAILURES[server] += 1
    if ARRIVED and start_time >= ARRIVED[0]:
        SETTLED.append(response_time)


def figures(entry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        **{f"p{p}_ms": entry.get_response_time_percentile(p / 100) for p in (50, 95, 99)},
    }


@events.test_stop.add_listener
def save_results(environment, **kwargs):
    # Once every user has finished its last request: the --csv files are
    # written every second, and miss the last ones.
    stats = environment.stats
    results = {
        "total": figures(stats.total),
        "by_request": {name: figures(entry) for (name, _), entry in stats.entries.items()},
        "after_arrival": {
            "requests": len(SETTLED),
            **{
                f"p{p}_ms": round(statistics.quantiles(SETTLED, n=100)[p - 1]) for p in (50, 95, 99)
            },
        },
        "posted": POSTED,
        "times": TIMES,
        "failures": FAILURES,
    }
    with open(SETUP["results_file"], "w") as out:
        json.dump(results, out)
