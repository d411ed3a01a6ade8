"""`make bench`, the offices' part: the time per nearest-office lookup over every
postcode in the data, against the brute-force search (every office's great-circle
distance in a plain loop), as a ratio. Measured for the starting set and for 40
offices spread over the country (what a full set of regional offices and reception
locations comes to); each figure is the best of a few rounds (a shared machine is
noisy, and the best is the code's own cost)."""
import time

from ..offices import files, nearest, rules
from ..offices.directory import OfficeInfo, info
from ..offices.postcodes import Postcodes

ROUNDS = 5
SPREAD = 40


def _best_per_lookup(lookup, codes, rounds=ROUNDS):
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for code in codes:
            lookup(code)
        best = min(best, (time.perf_counter() - start) / len(codes))
    return best


def starting_set():
    return tuple(info({**rules.clean(raw), "id": i + 1}) for i, raw in enumerate(files.read(files.STARTING_SET)))


def spread(postcodes, count=SPREAD):
    picked = postcodes.codes[::len(postcodes.codes) // count][:count]
    return tuple(OfficeInfo(id=i + 1, name=c, place=c, street=None, postcode=c, lat=postcodes.by_code[c].lat,
                            lon=postcodes.by_code[c].lon, phone=None, hours_verified=False, say_hours="never")
                 for i, c in enumerate(picked))


def measure(offices, postcodes):
    """{name: seconds per lookup} over every postcode, and whether all answers agree."""
    codes = postcodes.codes
    where = {code: postcodes.centroid(code) for code in codes}
    nearest.nearest_to_postcode(offices, postcodes, codes[0])  # the table is made once, on first use
    timings = {
        "brute": _best_per_lookup(lambda c: nearest.brute_force(offices, *where[c]), codes),
        "point": _best_per_lookup(lambda c: nearest.nearest(offices, *where[c]), codes),
        "postcode": _best_per_lookup(lambda c: nearest.nearest_to_postcode(offices, postcodes, c), codes),
    }
    agree = all(nearest.nearest_to_postcode(offices, postcodes, c)[0].id == nearest.brute_force(offices, *where[c])[0].id
                for c in codes)
    return timings, agree


def bench_offices(opts, env):
    from .bench import Row

    postcodes = Postcodes.load()
    rows = []
    for label, offices in (("starting set", starting_set()), (f"{SPREAD} offices spread", spread(postcodes))):
        t, agree = measure(offices, postcodes)
        check = "same office as brute force for every postcode" if agree else "DIFFERS from brute force"
        rows.append(Row("offices", f"nearest office, {label} ({len(offices)}): brute force (baseline)",
                        note=f"{t['brute'] * 1e6:.2f} us/lookup over {len(postcodes)} postcodes"))
        for name, what in (("point", "from a point (Index)"), ("postcode", "by postcode (table made ahead)")):
            rows.append(Row("offices", f"nearest office, {label}: {what}", rps_ratio=t["brute"] / t[name],
                            note=f"{t[name] * 1e6:.2f} us/lookup, {t['brute'] / t[name]:.1f}x faster; {check}"))
    return rows


# The office finder's answer for a postcode, timed with the other webhooks (bench.py):
# it is never a cached answer (it depends on the clock), so it walks the whole way.
OFFICE_WEBHOOK = ("POST /voice/en/office?pc=1011 (office answer)", "/voice/en/office?pc=1011", {},
                  "/voice/en/office/key", True)


def office_database(directory):
    """A SQLite database for the app under test, migrated, with the starting set loaded."""
    from ..offices.records import seed_if_empty
    from ..store import db

    url = f"sqlite:///{directory / 'bench.db'}"
    (directory / "bench.db").unlink(missing_ok=True)
    database = db.Database(url)
    db.upgrade(database)
    with database.transaction() as session:
        seed_if_empty(session)
    database.dispose()
    return url
