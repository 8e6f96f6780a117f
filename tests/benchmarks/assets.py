"""The property register: import, extract and API list, against the baselines the issue names.

    GORODOK_ENV=test python tests/benchmarks/assets.py [--quick]

Works in a throwaway database (``gorodok_bench_assets`` on the server DATABASE_URL names; without
DATABASE_URL, the server ``make test`` would use), which it creates, fills and drops: one municipality
with one right holder.

1. Import. XLSX files of 2,000 and 10,000 register rows (real estate with a cadastral number, address,
   values and a register number, as a register kept in Excel has them) are imported by
   ``assets_import`` (parse, check every row, bulk writes a chunk at a time, history and webhook events).
   The naive baseline reads the same file with openpyxl and, per row, builds the object, calls
   ``full_clean()`` and ``save()`` (no history, no events: less work than the import does). Both run in
   the same process, one after the other, each in a transaction rolled back afterwards, so each starts
   from the same empty register. The naive loop runs on the 10,000-row file (2,000 with --quick) and
   the speed ratio compares it with the import of the same file. Peak memory of the import is Python's traced peak
   (``tracemalloc``, in a separate run of each size) and the process's maximum RSS.
2. Extract. The 10,000 objects (committed this time) are written as the XLSX extract (write-only
   workbook, every sheet) and as CSV (section 1, the same rows), streamed to temporary files; best of
   3 each, alternating.
3. API. ``assets(first: N) { edges { node { ... holder documents encumbrances } } }`` with an API
   client's bearer token, in-process (Django's test client), after a warm-up request: SQL queries per
   request at page sizes 10, 50 and 100 (each object has one document and one encumbrance).

Targets: import >= 10x the naive rows/s; import peak (traced) < 250 MB at both sizes and the peak at
10,000 at most 1.5x the peak at 2,000; XLSX extract <= 2x the CSV time; at most 5 SQL queries per list
request at any page size (the SET search_path django-tenants sends when it switches schema included).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

from throwaway import point_django_at, recreate_database

BENCH_DATABASE = "gorodok_bench_assets"
SLUG = "benchassets"
SIZES = (2_000, 10_000)
PAGE_SIZES = (10, 50, 100)
TARGETS = {"import_over_naive_speed": 10.0, "import_peak_mb": 250.0, "peak_growth_10k_over_2k": 1.5,
           "xlsx_over_csv_time": 2.0, "max_sql_queries_per_list": 5}
HEADERS = ["Реестровый номер", "Вид объекта", "Наименование", "Назначение", "Адрес (местоположение)",
           "Кадастровый номер", "Площадь, кв. м", "Вид права", "ИНН правообладателя", "Балансовая стоимость, руб.",
           "Остаточная стоимость, руб.", "Дата включения в реестр"]
LIST_QUERY = """query ($first: Int) { assets(first: $first) { edges { node {
  id registerNumber kind name address cadastralNumber balanceValue residualValue rightType
  holder { id name inn } documents { kind number date } encumbrances { kind beneficiary startsOn } } } } }"""


def _row(n: int, inn: str) -> list:
    return [f"1.{n:06d}", "здание", f"Жилой дом № {n}", "жилое", f"Республика Хакасия, ул. Ленина, {n}",
            f"19:01:{n % 999999:06d}:{n}", Decimal(f"{50 + n % 900}.50"), "собственность (муниципальная казна)",
            inn, Decimal(f"{1_000_000 + n}.00"), Decimal(f"{500_000 + n}.00"), date(2015, 3, 12)]


def _write_file(path: Path, rows: int, inn: str) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Реестр")
    sheet.append(HEADERS)
    for n in range(1, rows + 1):
        sheet.append(_row(n, inn))
    workbook.save(path)
    return path


def _fill():
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from gorodok_platform.integrations.services import MAX_RATE_LIMIT_PER_MINUTE, api_client_create
    from gorodok_services.assets import services
    from gorodok_services.core.identifiers import inn_complete
    from gorodok_tenants.provisioning.municipalities import (
        MunicipalitySpec,
        host_for,
        municipality_create,
    )

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    municipality = municipality_create(
        spec=MunicipalitySpec(name="Бенчмарк", name_en="Benchmark", slug=SLUG, oktmo="95000098"))
    with schema_context(municipality.schema_name):
        holder = services.holder_create(values={"kind": "treasury", "name": "Муниципальная казна",
                                                "inn": inn_complete("190100002")})
        _client, token = api_client_create(name="Benchmark", scopes=["assets:read"],
                                           rate_limit_per_minute=MAX_RATE_LIMIT_PER_MINUTE)
    return municipality, holder, host_for(SLUG), token


class _Rollback(Exception):
    pass


def _rolled_back(work):
    """Run ``work`` in a transaction that is rolled back; return (its result, seconds)."""
    from django.db import transaction

    result = {}
    try:
        with transaction.atomic():
            start = time.perf_counter()
            result["value"] = work()
            result["seconds"] = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return result["value"], result["seconds"]


def _import(path: Path):
    from gorodok_services.assets.imports import assets_import

    report = assets_import(path=path, filename=path.name, dry_run=False)
    if not report.applied or report.created != report.total:
        raise RuntimeError(f"import not applied: {report.rejected} rejected, e.g. {report.rows[:2]}")
    return report.created


def _naive(path: Path, holder) -> int:
    """The baseline: openpyxl, then per row full_clean() and save()."""
    from openpyxl import load_workbook

    from gorodok_services.assets.columns import header_aliases, normalise_header
    from gorodok_services.assets.imports import _parse
    from gorodok_services.assets.models import KIND_SECTIONS, Asset

    aliases = header_aliases()
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    fields = [aliases[normalise_header(h)] for h in next(rows)]
    saved = 0
    for cells in rows:
        values = {name: _parse(name, cell) for name, cell in zip(fields, cells, strict=True) if name}
        values.pop("holder_inn")
        asset = Asset(holder=holder, section=KIND_SECTIONS[values["kind"]], **values)
        asset.full_clean()
        asset.save()
        saved += 1
    workbook.close()
    return saved


def _traced_peak_mb(work) -> float:
    tracemalloc.start()
    try:
        _rolled_back(work)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _interleaved_best(times: int, first, second) -> tuple[float, float]:
    """The best of ``times`` runs of each, alternating (first, second, second, first, ...), so that a
    change in the machine's load hits both alike."""
    best = [float("inf"), float("inf")]
    for round_ in range(times):
        order = ((0, first), (1, second)) if round_ % 2 == 0 else ((1, second), (0, first))
        for index, work in order:
            start = time.perf_counter()
            work()
            best[index] = min(best[index], time.perf_counter() - start)
    return best[0], best[1]


def _write_lines(path: Path, lines) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        for line in lines:
            handle.write(line)


def _count_queries(host: str, token: str) -> dict[int, list[str]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {token}")

    def send(first):
        response = client.post("/graphql/", data=json.dumps({"query": LIST_QUERY, "variables": {"first": first}}),
                               content_type="application/json")
        body = response.json()
        if response.status_code != 200 or "errors" in body or len(body["data"]["assets"]["edges"]) != first:
            raise RuntimeError(f"first={first}: {response.status_code} {body}"[:500])

    send(1)
    counts = {}
    for first in PAGE_SIZES:
        with CaptureQueriesContext(connection) as captured:
            send(first)
        counts[first] = [q["sql"].split()[0] + (" search_path" if "search_path" in q["sql"][:30] else "")
                         for q in captured]
    return counts


def _add_documents(holder) -> None:
    """One document and one encumbrance per object, in bulk (what the list shows)."""
    from gorodok_services.assets.models import Asset, AssetDocument, Encumbrance

    ids = list(Asset.objects.values_list("pk", flat=True))
    AssetDocument.objects.bulk_create([AssetDocument(asset_id=pk, role="acquisition", kind="decision",
                                                     number=f"{pk}-р", date=date(2015, 3, 12)) for pk in ids],
                                      batch_size=2000)
    Encumbrance.objects.bulk_create([Encumbrance(asset_id=pk, kind="lease", basis=f"договор {pk}",
                                                 beneficiary="ООО «Управляющая компания»",
                                                 starts_on=date(2020, 1, 1)) for pk in ids], batch_size=2000)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the naive baseline on 2,000 rows (about a minute)")
    parser.add_argument("--only-register", action="store_true",
                        help="import, extract and API only (not the depreciation and appeals benchmarks)")
    options = parser.parse_args(argv)
    naive_rows = SIZES[0] if options.quick else SIZES[-1]

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _, maintenance_url = point_django_at(BENCH_DATABASE)
    recreate_database(maintenance_url, BENCH_DATABASE)
    folder = Path(tempfile.mkdtemp(prefix="gorodok-bench-assets-"))
    try:
        import django

        django.setup()
        from django.db import connection, connections
        from django_tenants.utils import schema_context

        from gorodok_services.assets import exports

        municipality, holder, host, token = _fill()
        files = {size: _write_file(folder / f"reestr-{size}.xlsx", size, holder.inn) for size in SIZES}
        version = connection.cursor().connection.info.server_version
        with schema_context(municipality.schema_name):
            import_seconds = {size: _rolled_back(lambda f=files[size]: _import(f))[1] for size in SIZES}
            naive_file = files[naive_rows]
            _count, naive_seconds = _rolled_back(lambda: _naive(naive_file, holder))
            peaks = {size: _traced_peak_mb(lambda f=files[size]: _import(f)) for size in SIZES}
            _import(files[SIZES[-1]])  # committed: the extract and the API read it
            _add_documents(holder)
            xlsx_seconds, csv_seconds = _interleaved_best(
                3, lambda: exports.write_xlsx(folder / "extract.xlsx"),
                lambda: _write_lines(folder / "extract.csv", exports.csv_lines("real_estate")))
        queries = _count_queries(host, token)
        max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        connections.close_all()
    finally:
        from django.db import connections

        connections.close_all()
        recreate_database(maintenance_url, BENCH_DATABASE, drop_only=True)
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()

    big, small = SIZES[-1], SIZES[0]
    import_rps = {size: size / import_seconds[size] for size in SIZES}
    naive_rps = naive_rows / naive_seconds
    speedup = import_rps[naive_rows] / naive_rps  # the same file, the same number of rows
    growth = peaks[big] / peaks[small]
    xlsx_over_csv = xlsx_seconds / csv_seconds
    max_queries = max(len(q) for q in queries.values())
    targets = {
        "import_at_least_10x_naive": speedup >= TARGETS["import_over_naive_speed"],
        "import_peak_under_250_mb": max(peaks.values()) < TARGETS["import_peak_mb"],
        "import_peak_does_not_grow": growth <= TARGETS["peak_growth_10k_over_2k"],
        "xlsx_at_most_2x_csv": xlsx_over_csv <= TARGETS["xlsx_over_csv_time"],
        "list_at_most_5_queries": max_queries <= TARGETS["max_sql_queries_per_list"],
        "list_queries_constant": len({len(q) for q in queries.values()}) == 1,
    }
    print(f"Property register, PostgreSQL {version}, {os.cpu_count()} CPUs; naive baseline on {naive_rows} rows.")
    print()
    print(f"{'measure':44s} {'rows':>7s} {'seconds':>9s} {'rows/s':>9s} {'peak MB':>8s}")
    for size in SIZES:
        print(f"{'import XLSX (bulk, all or nothing)':44s} {size:7d} {import_seconds[size]:9.2f} "
              f"{import_rps[size]:9.0f} {peaks[size]:8.1f}")
    print(f"{'naive full_clean() + save() per row':44s} {naive_rows:7d} {naive_seconds:9.2f} {naive_rps:9.0f} "
          f"{'':>8s}")
    print(f"{'extract XLSX (write-only, all sheets)':44s} {big:7d} {xlsx_seconds:9.2f} {big / xlsx_seconds:9.0f}")
    print(f"{'extract CSV (section 1)':44s} {big:7d} {csv_seconds:9.2f} {big / csv_seconds:9.0f}")
    print()
    print(f"Import / naive speed on the same {naive_rows} rows = {speedup:.1f}x "
          f"(target >= 10: {_verdict(targets['import_at_least_10x_naive'])}).")
    print(f"Import peak (traced) {peaks[small]:.1f} MB at {small}, {peaks[big]:.1f} MB at {big}: x{growth:.2f} "
          f"(target < 250 MB: {_verdict(targets['import_peak_under_250_mb'])}; does not grow, <= x1.5: "
          f"{_verdict(targets['import_peak_does_not_grow'])}); process max RSS {max_rss_mb:.0f} MB.")
    print(f"XLSX / CSV extract time = {xlsx_over_csv:.2f} (target <= 2: {_verdict(targets['xlsx_at_most_2x_csv'])}).")
    for first, labels in queries.items():
        print(f"  list first={first:<4d} {len(labels)} queries: {', '.join(labels)}")
    print(f"List: at most {max_queries} SQL queries (target <= 5: {_verdict(targets['list_at_most_5_queries'])}), "
          f"the same at every page size: {'yes' if targets['list_queries_constant'] else 'NO'}.")
    parts = {} if options.only_register else _parts(options.quick)
    summary = {
        "benchmark": "assets",
        "params": {"quick": options.quick, "sizes": list(SIZES), "naive_rows": naive_rows,
                   "page_sizes": list(PAGE_SIZES), "cpus": os.cpu_count(), "postgres": version,
                   "targets": TARGETS, "targets_met": targets},
        "figures": {
            **{f"import_{size}_seconds": round(import_seconds[size], 3) for size in SIZES},
            **{f"import_{size}_peak_traced_mb": round(peaks[size], 1) for size in SIZES},
            "naive_seconds": round(naive_seconds, 3), "naive_rows_per_second": round(naive_rps, 1),
            **{f"import_{size}_rows_per_second": round(import_rps[size], 1) for size in SIZES},
            "extract_xlsx_seconds": round(xlsx_seconds, 3), "extract_csv_seconds": round(csv_seconds, 3),
            "process_max_rss_mb": round(max_rss_mb, 1),
            **{f"list_first_{first}_sql_queries_count": len(labels) for first, labels in queries.items()},
        },
        "ratios": {"import_over_naive_speed": round(speedup, 2), "import_peak_10k_over_2k": round(growth, 3),
                   "xlsx_over_csv_time": round(xlsx_over_csv, 3)},
    }
    for name, part in parts.items():  # the depreciation and appeals benchmarks, each in its own database
        summary["params"][f"{name}_targets_met"] = part["params"].get("targets_met")
        summary["figures"].update({f"{name}_{key}": value for key, value in part["figures"].items()})
        summary["ratios"].update({f"{name}_{key}": value for key, value in part["ratios"].items()})
    print(json.dumps(summary, ensure_ascii=False))
    return 0


PARTS = {"depreciation": "assets_depreciation.py", "appeals": "assets_appeals.py"}


def _parts(quick: bool) -> dict[str, dict]:
    """Run the register's other benchmarks (net book values in bulk SQL; objects with the most appeals) as
    their own processes, print their tables here, and return their JSON summaries."""
    import subprocess

    found = {}
    for name, script in PARTS.items():
        print()
        command = [sys.executable, str(Path(__file__).with_name(script)), *(["--quick"] if quick else [])]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = result.stdout.strip().splitlines()
        print("\n".join(lines[:-1]) if lines else result.stderr[-2000:])
        try:
            found[name] = json.loads(lines[-1])
        except (IndexError, ValueError):
            print(f"{script} gave no summary (exit {result.returncode})")
    return found


if __name__ == "__main__":
    sys.exit(main())
