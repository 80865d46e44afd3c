"""Fuzz the twins for a while: `make fuzz` (FUZZ_MINUTES=10 by default).

Runs the generated parity tests in rounds with random seeds and many examples, in two lanes at
once until the time is up: contract_tests/test_differential.py one spec operation per round
(each for a slice of the time, in a new random order every cycle) and
contract_tests/test_lockstep.py. Each divergence (or 5xx)
is recorded by contract_tests/twins.py once hypothesis has shrunk it; this script turns each
new one into a reproducer under contract_tests/reproducers/:

    divergence_<signature>.json  the requests (since the seeded state) and both answers
    divergence_<signature>.py    replays them on fresh twins: uv run python <that file>
    round_<n>_<lane>.log         the pytest output (falsifying example, hypothesis blob),
                                 unless the round was cut short at the end of its time

A divergence found once is not reported again by later rounds (CONDUIT_FUZZ_KNOWN), so they
can find others. Prints `fuzz: N rounds, M divergences`; exits 1 if M > 0 (or a round broke).

Environment: FUZZ_MINUTES (10), FUZZ_EXAMPLES (2000 per test and round), CONDUIT_FUZZ_SEED
(the first round's seed; later rounds draw their own).
"""

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPRODUCERS = ROOT / "contract_tests" / "reproducers"
DIFFERENTIAL = ["contract_tests/test_differential.py", "-k", "generated"]
LOCKSTEP = ["contract_tests/test_lockstep.py"]
# A differential round fuzzes one operation for at most this share of the time (at least
# MIN_SLICE seconds), operations in a new random order each cycle, so every one gets its turn.
MIN_SLICE = 30.0
REPRODUCER_TEMPLATE = '''"""{summary}

{problems}

Replays the recorded requests on fresh twins and compares:
uv run python {relative}
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from contract_tests.twins import replay_record  # noqa: E402

if __name__ == "__main__":
    sys.exit(replay_record(Path(__file__).with_suffix(".json")))
'''


def _docstring_safe(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"""', "'''")
    return escaped.encode("ascii", "backslashreplace").decode("ascii")


class Fuzz:
    def __init__(self, minutes: float, examples: int, first_seed: int | None) -> None:
        self.deadline = time.monotonic() + minutes * 60
        self.minutes = minutes
        self.examples = examples
        self.first_seed = first_seed
        self.work = Path(tempfile.mkdtemp(prefix="conduit-fuzz-"))
        self.out = self.work / "divergences"
        self.out.mkdir()
        self.known_file = self.work / "known.txt"
        self.known_file.write_text("", encoding="utf-8")
        self.known: dict[str, dict[str, object]] = {}
        self.rounds = 0
        self.broken_rounds = 0
        self.lock = threading.Lock()

    def seed(self) -> int:
        with self.lock:
            if self.first_seed is not None:
                seed, self.first_seed = self.first_seed, None
                return seed
            return random.SystemRandom().randrange(2**32)

    def differential_lane(self) -> None:
        """One operation per round, each for a slice of the time, in shuffled cycles."""
        operations = self.collect_tests(DIFFERENTIAL)
        if not operations:
            with self.lock:
                self.broken_rounds += 1
            print("fuzz: could not collect the differential tests (try: pytest --collect-only)")
            return
        time_slice = max(MIN_SLICE, self.minutes * 60 / max(len(operations), 1))
        while self.deadline - time.monotonic() > 5:
            random.shuffle(operations)
            for operation in operations:
                if not self.round("differential", [operation], time_slice):
                    return

    def lockstep_lane(self) -> None:
        while self.round("lockstep", LOCKSTEP, self.minutes * 60):
            pass

    def collect_tests(self, args: list[str]) -> list[str]:
        listing = subprocess.run(
            [sys.executable, "-m", "pytest", *args, "--collect-only", "-q"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [line.strip() for line in listing.splitlines() if "::" in line]

    def round(self, name: str, args: list[str], time_slice: float) -> bool:
        """Run one round (one pytest process); False when the time is up."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 5:
            return False
        seed = self.seed()
        with self.lock:
            self.rounds += 1
            number = self.rounds
        what = args[0].split("::")[-1] if "::" in args[0] else name
        print(f"fuzz: round {number} ({what}, seed {seed}), {remaining / 60:.1f} min left")
        out = self.out / str(number)
        out.mkdir()
        output, code, timed_out = self.run(args, seed, min(remaining, time_slice), out)
        recorded = sorted(out.glob("*.json"))
        new = self.collect(number, recorded)
        if not timed_out and (new or code != 0):
            # (A round cut at the deadline printed no report; its records say it all.)
            log = REPRODUCERS / f"round_{number}_{name}.log"
            REPRODUCERS.mkdir(exist_ok=True)
            log.write_text(output, encoding="utf-8")
            if not recorded:
                with self.lock:
                    self.broken_rounds += 1
                print(f"fuzz: round {number} failed without a divergence record, see {log}")
        return True

    def run(self, args: list[str], seed: int, remaining: float, out: Path) -> tuple[str, int, bool]:
        env = {
            **os.environ,
            "CONDUIT_FUZZ_EXAMPLES": str(self.examples),
            "CONDUIT_FUZZ_RANDOM": "1",
            "CONDUIT_FUZZ_OUT": str(out),
            "CONDUIT_FUZZ_KNOWN": str(self.known_file),
            "CONDUIT_FUZZ_ROUND_SEED": str(seed),
        }
        command = [
            sys.executable,
            "-m",
            "pytest",
            *args,
            "-q",
            "--show-capture=no",
            "-p",
            "no:cacheprovider",
            f"--hypothesis-seed={seed}",
            "--basetemp",
            str(self.work / f"tmp-{seed}"),
        ]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=max(remaining, 1))
            return output, process.returncode, False
        except subprocess.TimeoutExpired:
            # Time is up: stop this round (its own process group only) and keep what it found.
            os.killpg(process.pid, signal.SIGTERM)
            try:
                output, _ = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate()
            return output, process.returncode, True

    def collect(self, number: int, recorded: list[Path]) -> list[str]:
        """Turn newly recorded divergences into reproducers; mark them known."""
        new = []
        with self.lock:
            for path in recorded:
                record = json.loads(path.read_text(encoding="utf-8"))
                signature = record["signature"]
                if signature in self.known:
                    continue
                self.known[signature] = record
                new.append(signature)
                self.write_reproducer(record)
                request = record["request"]
                test = str(record.get("test") or "?").split("::")[-1]
                print(
                    f"fuzz: DIVERGENCE {signature} in round {number} ({test}): "
                    f"{request['method']} {request['path'][:120]} -> "
                    f"flask {record['flask']['status']}, fastapi {record['fastapi']['status']}"
                )
            self.known_file.write_text("\n".join(self.known) + "\n", encoding="utf-8")
        return new

    def write_reproducer(self, record: dict[str, object]) -> None:
        REPRODUCERS.mkdir(exist_ok=True)
        name = f"divergence_{record['signature']}"
        json_path = REPRODUCERS / f"{name}.json"
        json_path.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
        summary = (
            f"Divergence {record['signature']}, found by `make fuzz` in "
            f"{record.get('test') or '?'} (seed {record.get('seed') or '?'})."
        )
        problems = "\n".join(
            textwrap.fill(str(problem), width=96, initial_indent="- ", subsequent_indent="  ")
            for problem in record["problems"]  # type: ignore[attr-defined]
        )
        script = REPRODUCER_TEMPLATE.format(
            summary=textwrap.fill(summary, width=96),
            problems=_docstring_safe(problems),
            relative=(REPRODUCERS / f"{name}.py").relative_to(ROOT),
        )
        (REPRODUCERS / f"{name}.py").write_text(script, encoding="utf-8")

    def main(self) -> int:
        threads = [
            threading.Thread(target=self.differential_lane, name="differential"),
            threading.Thread(target=self.lockstep_lane, name="lockstep"),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(f"fuzz: {self.rounds} rounds, {len(self.known)} divergences")
        for signature, record in self.known.items():
            request = record["request"]
            print(
                f"  {signature}: {request['method']} {request['path'][:100]}"  # type: ignore[index]
                f" -> contract_tests/reproducers/divergence_{signature}.py"
            )
        if self.broken_rounds:
            print(f"fuzz: {self.broken_rounds} rounds failed without a divergence record")
        return 1 if self.known or self.broken_rounds else 0


if __name__ == "__main__":
    seed = os.environ.get("CONDUIT_FUZZ_SEED")
    fuzz = Fuzz(
        minutes=float(os.environ.get("FUZZ_MINUTES") or 10),
        examples=int(os.environ.get("FUZZ_EXAMPLES") or 2000),
        first_seed=int(seed) if seed else None,
    )
    sys.exit(fuzz.main())
