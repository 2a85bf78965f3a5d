"""Create demo users, follows, tweets, replies, likes and reposts through the services (so
feeds, search and notifications follow), readable enough to show the web interface; a few
posts carry pictures (drawn here, uploaded through the media service like any upload)."""

import io
import os
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from PIL import Image, ImageDraw

from accounts import services as account_services
from accounts.models import User
from media import services as media_services
from tweets import services as tweet_services
from tweets.models import Tweet

# Single words: the benchmark data set's vocabulary starts with them (bench/seed.py).
WORDS = [
    "coffee",
    "morning",
    "deploy",
    "django",
    "redis",
    "postgres",
    "celery",
    "feed",
    "tweet",
    "cat",
    "dog",
    "rain",
    "sun",
    "music",
    "running",
    "shipping",
    "testing",
    "reading",
    "weekend",
    "python",
    "release",
    "bug",
    "fix",
    "idea",
    "launch",
    "team",
]

# (username, display name, bio) of the demo people after `demo`; more users than these are user<N>.
PEOPLE = [
    ("ada", "Ada Okafor", "Backend engineer. Queues, caches, and the occasional sourdough."),
    ("kenji", "Kenji Watanabe", "Making databases boring since 2009."),
    ("lina", "Lina Haddad", "Product designer. Type nerd. Cyclist."),
    ("marco", "Marco Bianchi", "Coffee first, then deploys."),
    ("priya", "Priya Raman", "SRE. On call is a state of mind."),
    ("sam", "Sam Carter", "Writes about the web, accessibility and small tools."),
    ("noor", "Noor Aziz", "Data person. Maps, charts, long walks."),
    ("tomas", "Tomás Silva", "Frontend by day, synths by night."),
    ("elena", "Elena Petrova", "Open source maintainer. Please read the contributing guide."),
    ("jonas", "Jonas Berg", "Runner, reader, recovering perfectionist."),
    ("mia", "Mia Chen", "Mobile developer. Dark mode advocate."),
    ("olu", "Olu Adeyemi", "Teaching kids to code on Saturdays."),
    ("sofia", "Sofia Rossi", "Illustrator. Currently drawing birds."),
    ("dev_ravi", "Ravi Iyer", "Security and sleep, in that order."),
    ("hana", "Hana Kim", "Engineering manager. Ask me about 1:1s."),
    ("luca", "Luca Moretti", "Photographer. Film and digital."),
    ("amara", "Amara Diallo", "PhD student in distributed systems."),
    ("finn", "Finn O'Brien", "Building a cabin, slowly."),
    ("zoe", "Zoe Martin", "Podcasts about history nobody asked for."),
    ("ivan", "Ivan Horvat", "Rust, Python, and too many keyboards."),
]

POSTS = [
    "Shipped the new release this morning. Zero downtime, one very relieved team. #release",
    "Hot take: most performance problems are one missing index away from solved. #postgres",
    "The best code review comment I ever got: \u201cwhat happens when this is empty?\u201d",
    "Morning run done before the rain. 8 km, legs are complaining. #running",
    "Redis sorted sets are one of those tools that make hard things feel easy. #redis",
    "Reading list for the weekend: a novel, a cookbook and a paper on consensus. #reading",
    "If your dashboard needs a legend to read, it needs a redesign. #design",
    "First coffee of the day and the tests are green. This is what happiness looks like.",
    "Today I learned that the most requested feature was dark mode. It always is. #webdev",
    "Wrote a small script to rename 400 photos. Spent two hours to save twenty minutes. Worth it.",
    "Pairing with @{friend} on the search page today. Two keyboards, one bug, lots of tea.",
    "Thanks @{friend} for the thoughtful review, the migration is much safer now.",
    "Friendly reminder: back up your laptop. Future you says thank you. #tips",
    "The new bike lane on my way to work makes the commute a joy. #cycling",
    "Accessibility is not a feature, it is the floor. Label your buttons. #a11y",
    "Small wins: the flaky test was a timezone. It is always a timezone. #testing",
    "Sourdough attempt number six. It finally looks like bread. #baking",
    "Playing with a modular synth tonight. No idea what I am doing, loving it. #music",
    "Who else keeps a list of \u201cthings I will refactor one day\u201d? Mine is long.",
    "Our on-call week was quiet. Suspiciously quiet. #sre",
    "Went to the lake to photograph birds and came back with 300 pictures of ducks. #photography",
    "Trying a four-day work week experiment this month. Will report back.",
    "Good error messages are documentation people actually read. #ux",
    "The cabin has walls now. Roof next weekend, weather permitting.",
    "Teaching my Saturday class about loops. One kid wrote an infinite loop on purpose. Legend.",
    "Stand-up idea: say one thing you learned yesterday. It changed our mornings.",
    "New keyboard arrived. Typing this slowly and very loudly.",
    "Map of every cafe I have worked from this year. Forty-one. Maybe too many. #maps",
    "Reading old design docs is like archaeology with better diagrams.",
    "Caching is easy. Invalidation is the job. #redis",
    "Rainy Sunday, hot soup, a good book. Nothing to ship today.",
    "Finished the history podcast episode on lighthouses. Fourteen hours of tape for forty minutes.",
    "Hiring! Our team is looking for a backend engineer who likes boring, reliable systems. #jobs",
    "Took the long way home to watch the sunset over the river. No regrets.",
    "Hey @{friend}, the talk slides are up. Thanks for the feedback on the demo!",
    "Deleted 2,000 lines of code today. Best day of the quarter.",
    "The trick to a calm release: ship small, ship often, write it down.",
    "Drew a heron this afternoon. The legs are still wrong but the eye is right. #art",
    "Postgres full-text search handles more than people think. Try it before adding a cluster. #postgres",
    "Week three of learning Rust. The borrow checker and I are now on speaking terms. #rust",
]

REPLIES = [
    "This is great, congratulations!",
    "Totally agree with this.",
    "Ha, same here.",
    "Could you share more about how you did it?",
    "Saving this for later, thanks.",
    "Love it. More of this please.",
    "I learned this the hard way too.",
    "Bookmarking. Brilliant.",
    "Good point, I had not thought about it like that.",
    "Nice! What did you use?",
]

# Posts with pictures, put among the last ones (the top of the home timeline): text, then
# per picture its palette (sky top, sky bottom, sun, near hills, far hills) and description.
PHOTO_POSTS = [
    (
        "Sunset from the ridge after work. Worth the climb. #weekend",
        [
            (
                ((255, 140, 90), (255, 214, 150), (255, 245, 220), (70, 60, 90), (120, 90, 120)),
                "An orange sunset sky over two layers of dark purple hills, the sun low above them.",
            )
        ],
    ),
    (
        "Morning light on the lake, two ways. #morning",
        [
            (
                ((120, 180, 230), (220, 235, 245), (255, 255, 230), (40, 90, 70), (90, 140, 120)),
                "A pale blue morning sky above green hills, a bright sun at the top.",
            ),
            (
                ((40, 60, 110), (200, 150, 170), (255, 220, 200), (30, 40, 60), (70, 80, 110)),
                "The same hills at dawn: a dark blue sky turning pink at the horizon.",
            ),
        ],
    ),
    (
        "New desk wallpaper, made it myself. #music",
        [
            (
                ((20, 20, 50), (90, 40, 120), (250, 200, 90), (20, 10, 30), (60, 30, 80)),
                "A night scene in violet with a yellow moon over black hills.",
            )
        ],
    ),
]


class Command(BaseCommand):
    help = (
        "Seed demo data: a `demo` user plus N people following each other and M tweets (some of them "
        "replies), with likes and reposts. Safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--tweets", type=int, default=200)
        parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", ""))
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args: Any, users: int, tweets: int, password: str, seed: int, **options: Any) -> None:
        if not password:
            # A non-zero exit, so `make run` and scripts notice.
            raise CommandError("Give --password or set DEMO_PASSWORD (make run writes one into .env).")
        rng = random.Random(seed)
        hashed = make_password(password)  # hash once: Argon2 is slow by design
        accounts = [self._user("demo", "Demo User", "Trying out Chirp.", hashed)]
        for i in range(1, users + 1):
            name, display, bio = PEOPLE[i - 1] if i <= len(PEOPLE) else (f"user{i}", f"User {i}", "")
            accounts.append(self._user(name, display, bio, hashed))
        self.stdout.write(f"users: {len(accounts)}")
        for user in accounts:
            for other in rng.sample(accounts, k=min(len(accounts) - 1, 8)):
                if other.pk != user.pk:
                    account_services.follow_create(follower=user, followee=other)
        self.stdout.write("follows: done")
        posted: list[Tweet] = []
        # The pictures go among the last ten posts, spread out (none when there are fewer).
        photo_at = {tweets - 9 + 3 * k: post for k, post in enumerate(PHOTO_POSTS)} if tweets >= 10 else {}
        for n in range(tweets):
            author = rng.choice(accounts)
            with transaction.atomic():
                if n in photo_at:
                    posted.append(self._photo_tweet(rng, author, *photo_at[n]))
                else:
                    posted.append(self._tweet(rng, author, accounts, posted))
            if rng.random() < 0.5:
                self._react(rng, posted[-1], accounts)
            if (n + 1) % 100 == 0:
                self.stdout.write(f"tweets: {n + 1}/{tweets}")
        self.stdout.write(self.style.SUCCESS(f"Seeded {len(accounts)} users and {tweets} tweets; log in as demo."))

    @staticmethod
    def _user(username: str, display_name: str, bio: str, hashed: str) -> User:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.com", "password": hashed, "display_name": display_name, "bio": bio},
        )
        return user

    @staticmethod
    def _tweet(rng: random.Random, author: User, accounts: list[User], posted: list[Tweet]) -> Tweet:
        """A post, or (one time in five, when there is something to answer) a reply to someone else's."""
        others = [tweet for tweet in posted[-30:] if tweet.author_id != author.pk]
        if others and rng.random() < 0.2:
            parent = rng.choice(others)
            return tweet_services.tweet_create(author=author, content=rng.choice(REPLIES), in_reply_to=parent)
        friend = rng.choice([user for user in accounts if user.pk != author.pk] or [author])
        return tweet_services.tweet_create(author=author, content=rng.choice(POSTS).format(friend=friend.username))

    @staticmethod
    def _photo_tweet(rng: random.Random, author: User, content: str, pictures: list[tuple[Any, str]]) -> Tweet:
        """A post with pictures, each drawn, then uploaded through media.services as an upload is."""
        ids = []
        for palette, description in pictures:
            upload = io.BytesIO()
            _landscape(rng, palette).save(upload, "JPEG", quality=90)
            upload.seek(0)
            upload.name = "landscape.jpg"
            ids.append(media_services.media_upload(owner=author, file=upload, description=description).pk)
        return tweet_services.tweet_create(author=author, content=content, media_ids=ids)

    @staticmethod
    def _react(rng: random.Random, tweet: Tweet, accounts: list[User]) -> None:
        """A few likes and, now and then, a repost by people other than the author."""
        others = [user for user in accounts if user.pk != tweet.author_id]
        for user in rng.sample(others, k=min(len(others), rng.randint(1, 5))):
            tweet_services.like_create(user=user, tweet=tweet)
        if others and rng.random() < 0.25:
            tweet_services.repost_create(user=rng.choice(others), tweet=tweet)


def _landscape(rng: random.Random, palette: Any, size: tuple[int, int] = (1200, 800)) -> Image.Image:
    """A simple landscape: a sky in a vertical gradient, a sun, two ranges of hills."""
    sky_top, sky_bottom, sun, near, far = palette
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        color = tuple(round(a + (b - a) * t) for a, b in zip(sky_top, sky_bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=color)
    cx, cy, r = rng.randint(width // 4, 3 * width // 4), rng.randint(height // 5, height // 2), height // 10
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=sun)
    for color, base, amplitude in ((far, 0.62, 0.10), (near, 0.78, 0.08)):
        points = [(0, height)]
        for x in range(0, width + 1, width // 12):
            points.append((x, round(height * (base + rng.uniform(-amplitude, amplitude)))))
        points.append((width, height))
        draw.polygon(points, fill=color)
    return image
