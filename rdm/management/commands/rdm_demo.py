"""``manage.py rdm_demo``: demo users and records, created through the services (idempotent).

Every user is found by e-mail and every record by its owner and title, so a second run creates nothing.
Each record is built in its own transaction: an interrupted run leaves no half-made record behind.
"""

import csv
import datetime
import io
import os
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts import services as accounts
from communities import services as communities
from rdm.records import services as records
from rdm.search import indexer
from rdm.search.index import get_index

DEFAULT_PASSWORD = "rdm-demo-password"
ADMIN_EMAIL = "admin@example.org"
ALICE_EMAIL = "alice@example.org"
BOB_EMAIL = "bob@example.org"
DEMO_COMMUNITY = {
    "slug": "ocean-climate",
    "metadata": {
        "title": "Ocean and Climate Observatory",
        "type": "project",
        "description": "<p>Observations and software of the ocean and climate group.</p>",
    },
    "access": {"visibility": "public"},
}
ORCID_EXAMPLE = "0000-0002-1825-0097"  # ORCID's documented example identifier (Josiah Carberry)


@dataclass
class DemoUser:
    email: str
    full_name: str
    affiliations: list = field(default_factory=list)
    username: str | None = None
    profile_visibility: str = "restricted"
    email_visibility: str = "restricted"
    staff: bool = False


USERS = [
    DemoUser(ADMIN_EMAIL, "Repository Administrator", ["Research Data Services"], "admin", staff=True),
    DemoUser("alice@example.org", "Alice Andersen", ["University of Bergen"], "alice", "public", "public"),
    DemoUser("bob@example.org", "Bob Brunner", ["ETH Zurich", "WSL"], "bob", "public"),
    DemoUser("carol@example.org", "Carol Chen", ["Delft University of Technology"], "carol"),
]


# --- generated file contents ----------------------------------------------------------------------
def ocean_profiles_csv(years: range) -> bytes:
    rows = random.Random(years.stop)  # deterministic: same bytes on every machine
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["float_id", "date", "latitude", "longitude", "depth_m", "temperature_c", "salinity_psu"])
    for year in years:
        for month in (1, 4, 7, 10):
            for depth in (5, 50, 200, 1000):
                writer.writerow([
                    f"69{rows.randint(1000, 9999)}", f"{year}-{month:02d}-15",
                    round(rows.uniform(40, 60), 3), round(rows.uniform(-40, -10), 3), depth,
                    round(18 - depth / 80 + rows.uniform(-1, 1), 2), round(rows.uniform(34.8, 35.6), 3),
                ])
    return out.getvalue().encode()


def interview_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["interview", "discipline", "shares_data", "main_obstacle"])
    obstacles = ["time", "consent", "no repository", "fear of scooping", "file formats"]
    for number in range(1, 25):
        writer.writerow([f"I{number:02d}", ["biology", "physics", "history"][number % 3],
                         number % 2 == 0, obstacles[number % len(obstacles)]])
    return out.getvalue().encode()


def png_image(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 120), colour)
    draw = ImageDraw.Draw(image)
    for x in range(0, 160, 16):
        draw.line([(x, 120), (x + 40, 60)], fill=(40, 90, 30), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


TIDEPOOL_PY = text(
    '"""tidepool: fit tidal constituents to a water level series."""',
    "import math",
    "",
    "CONSTITUENTS = {'M2': 12.4206012, 'S2': 12.0, 'K1': 23.9344696, 'O1': 25.8193417}",
    "",
    "",
    "def predict(amplitudes, phases, hours):",
    "    return [sum(a * math.cos(2 * math.pi * t / CONSTITUENTS[name] - phases[name])",
    "                for name, a in amplitudes.items()) for t in hours]",
)


# --- demo records ---------------------------------------------------------------------------------
def person(family: str, given: str, affiliation: str, orcid: str | None = None) -> dict:
    entry = {"person_or_org": {"type": "personal", "family_name": family, "given_name": given}}
    if orcid:
        entry["person_or_org"]["identifiers"] = [{"scheme": "orcid", "identifier": orcid}]
    entry["affiliations"] = [{"name": affiliation}]
    return entry


ALICE = person("Andersen", "Alice", "University of Bergen", ORCID_EXAMPLE)
BOB = person("Brunner", "Bob", "ETH Zurich")
CAROL = person("Chen", "Carol", "Delft University of Technology")


@dataclass
class DemoRecord:
    owner: str
    metadata: dict
    files: dict  # key -> bytes
    access: dict = field(default_factory=lambda: {"record": "public", "files": "public"})
    publish: bool = True
    new_version: dict | None = None  # metadata changes and files of a second version


def metadata(title, resource_type, creators, date, description, *, license_id="cc-by-4.0", **extra) -> dict:
    return {
        "title": title, "resource_type": {"id": resource_type}, "creators": creators,
        "publication_date": date, "description": description, "rights": [{"id": license_id}],
        "languages": [{"id": "eng"}], "publisher": "Research Data Repository (demo)", **extra,
    }


def subjects(*words: str) -> list[dict]:
    return [{"subject": word} for word in words]


def demo_records(today: datetime.date) -> list[DemoRecord]:
    embargo_until = (today + datetime.timedelta(days=180)).isoformat()
    return [
        DemoRecord(
            "alice@example.org",
            metadata(
                "Ocean temperature profiles from Argo floats, North Atlantic", "dataset", [ALICE], "2022-03",
                "<p>Temperature and salinity profiles from <strong>Argo floats</strong>, four depths, "
                "quarterly.</p>", version="1.0", subjects=subjects("oceanography", "Argo", "temperature"),
            ),
            {"profiles.csv": ocean_profiles_csv(range(2019, 2022)),
             "README.txt": text("Columns: float_id, date, latitude, longitude, depth_m, temperature_c, ...")},
            new_version={
                "metadata": {"version": "2.0", "publication_date": "2024-01-15",
                             "description": "<p>Extended with the 2022 and 2023 seasons.</p>"},
                "files": {"profiles.csv": ocean_profiles_csv(range(2019, 2024))},
            },
        ),
        DemoRecord(
            "alice@example.org",
            metadata(
                "tidepool: tidal harmonic analysis in Python", "software", [ALICE], "2023-06-01",
                "<p>A small library that fits tidal constituents to water level series.</p>",
                license_id="mit", version="0.3.1", subjects=subjects("tides", "Python"),
            ),
            {"tidepool.py": TIDEPOOL_PY, "README.md": text("# tidepool", "", "`pip install tidepool`")},
        ),
        DemoRecord(
            "bob@example.org",
            metadata(
                "Soil microbiome diversity along an alpine altitude gradient", "publication-article",
                [BOB, CAROL], "2021-11-30",
                "<p>16S rRNA sequencing of soil samples taken every 200 m between 1,000 and 2,800 m.</p>",
                subjects=subjects("soil", "microbiome", "Alps"),
            ),
            {"manuscript.txt": text("Soil microbiome diversity along an alpine altitude gradient", "",
                                    "Abstract. We sampled ...")},
        ),
        DemoRecord(
            "bob@example.org",
            metadata(
                "Field photographs of alpine meadow plots, summer 2022", "image-photo", [BOB], "2022-09",
                "<p>Nadir photographs of permanent 1 m² plots.</p>", license_id="cc-by-sa-4.0",
            ),
            {"plot-a.png": png_image((120, 170, 90)), "plot-b.png": png_image((150, 180, 80))},
        ),
        DemoRecord(
            "bob@example.org",
            metadata(
                "Interviews on data sharing practices in three disciplines", "dataset", [BOB, ALICE],
                "2024-02-01", "<p>Coded answers of 24 semi-structured interviews.</p>",
                subjects=subjects("open science", "interviews"),
            ),
            {"interviews.csv": interview_csv()},
            access={"record": "public", "files": "restricted", "embargo": {
                "active": True, "until": embargo_until,
                "reason": "The files are released with the accompanying article."}},
        ),
        DemoRecord(
            "carol@example.org",
            metadata(
                "Open research data in practice: lessons from three repositories", "presentation", [CAROL],
                "2023-10-12", "<p>Slides of a talk given at the Open Science Days.</p>",
            ),
            {"slides.md": text("# Open research data in practice", "", "## 1. Why deposit?", "...")},
        ),
        DemoRecord(
            "carol@example.org",
            metadata(
                "Preliminary results: sediment cores from Lake Constance", "poster", [CAROL, BOB], "2024-05",
                "<p>Not for circulation: results under review.</p>",
            ),
            {"poster.txt": text("Sediment cores from Lake Constance - preliminary results")},
            access={"record": "restricted", "files": "restricted"},
        ),
        DemoRecord(
            "carol@example.org",
            metadata(
                "Introduction to version control for research data", "lesson", [CAROL], "2022",
                "<p>A two-hour lesson with exercises.</p>", license_id="cc0-1.0",
                languages=[{"id": "eng"}, {"id": "deu"}], subjects=subjects("teaching", "git"),
            ),
            {"lesson.md": text("# Version control for research data", "", "Exercise 1: git init ...")},
        ),
        DemoRecord(
            "alice@example.org",
            {"title": "Glacier melt observations, Svalbard (work in progress)",
             "resource_type": {"id": "dataset"}, "creators": [ALICE]},
            {"observations.csv": text("station,date,melt_mm", "SV1,2024-07-01,12.5")},
            publish=False,
        ),
    ]


class Command(BaseCommand):
    help = "Load demo users and records through the services (idempotent: a second run adds nothing)."

    def handle(self, *args, **options):
        password = os.environ.get("RDM_DEMO_PASSWORD", DEFAULT_PASSWORD)
        users = {demo.email: self.ensure_user(demo, password) for demo in USERS}
        created = sum(
            self.ensure_record(users[spec.owner], spec) for spec in demo_records(timezone.localdate())
        )
        community_created = self.ensure_community(users)
        # Default vocabularies arrive by data migration, before any indexing could run.
        indexer.rebuild(get_index("vocabularies"))
        self.stdout.write(
            f"Demo data ready ({created} records, {int(community_created)} communities created now)."
        )
        self.print_logins(password)

    def ensure_user(self, demo: DemoUser, password: str):
        existing = get_user_model().objects.filter(email__iexact=demo.email).first()
        if existing is not None:
            return existing
        return accounts.create_user(
            email=demo.email, password=password, full_name=demo.full_name, affiliations=demo.affiliations,
            username=demo.username, email_verified=True, is_staff=demo.staff, is_superuser=demo.staff,
            profile_visibility=demo.profile_visibility, email_visibility=demo.email_visibility,
        )

    def ensure_record(self, owner, spec: DemoRecord) -> bool:
        mine = records.list_user_records(owner)
        if any(item.title == spec.metadata["title"] for item in mine["drafts"] + mine["records"]):
            return False
        with transaction.atomic():
            draft = records.create_draft(owner, {"metadata": spec.metadata, "access": spec.access})
            upload(owner, draft.pid, spec.files)
            if spec.publish:
                record = records.publish_draft(owner, draft.pid)
                if spec.new_version:
                    publish_new_version(owner, record.pid, spec)
        return True

    def ensure_community(self, users: dict) -> bool:
        """A featured public community owned by Alice, holding her records, with Bob as curator."""
        admin, alice, bob = (users[email] for email in (ADMIN_EMAIL, ALICE_EMAIL, BOB_EMAIL))
        try:
            communities.get_community(admin, DEMO_COMMUNITY["slug"])
            return False
        except Http404:
            pass
        with transaction.atomic():
            community = communities.create_community(alice, DEMO_COMMUNITY)
            communities.add_user_member(admin, community, bob, "curator")
            for record in records.list_user_records(alice)["records"]:
                communities.include_record(alice, community, record)
            communities.set_featured(admin, community, timezone.now())
        return True

    def print_logins(self, password: str) -> None:
        self.stdout.write("\nDemo logins (all e-mail addresses verified):")
        for demo in USERS:
            role = "staff, superuser - /admin/" if demo.staff else "depositor"
            self.stdout.write(f"  {demo.email:<20} password: {password:<20} ({role})")


def upload(owner, pid: str, files: dict) -> None:
    records.init_files(owner, pid, list(files))
    for key, content in files.items():
        records.upload_file_content(owner, pid, key, io.BytesIO(content), content_length=len(content))
        records.commit_file(owner, pid, key)


def publish_new_version(owner, pid: str, spec: DemoRecord):
    draft = records.new_version(owner, pid)
    metadata = {**spec.metadata, **spec.new_version["metadata"]}
    records.update_draft(owner, draft.pid, {"metadata": metadata, "access": spec.access})
    upload(owner, draft.pid, spec.new_version["files"])
    return records.publish_draft(owner, draft.pid)
