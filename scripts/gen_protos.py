"""Generate the Python protobuf/gRPC code and .pyi stubs from protos/ into service/dragoman/gen."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROTOS = ROOT / "protos"
OUT = ROOT / "service" / "dragoman" / "gen"


def generate(out: Path) -> list[Path]:
    """Run protoc (grpcio-tools + mypy-protobuf) into `out`; return the files written."""
    import grpc_tools
    from grpc_tools import protoc

    out.mkdir(parents=True, exist_ok=True)
    protos = sorted(
        str(p.relative_to(PROTOS))
        for p in PROTOS.rglob("*.proto")
        if p.relative_to(PROTOS).parts[0] != "grpc"  # health.proto: grpcio-health-checking
    )
    bindir = Path(sys.executable).parent
    include = Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "protoc",
        f"--plugin=protoc-gen-mypy={bindir / 'protoc-gen-mypy'}",
        f"--plugin=protoc-gen-mypy_grpc={bindir / 'protoc-gen-mypy_grpc'}",
        f"-I{PROTOS}",
        f"-I{include}",
        f"--python_out={out}",
        f"--grpc_python_out={out}",
        f"--mypy_out={out}",
        f"--mypy_grpc_out={out}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    written = []
    for path in sorted(out.rglob("*.py*")):
        text = path.read_text()
        # protoc writes absolute imports rooted at protos/; root them at our package instead.
        text = text.replace("from dragoman.v1 import", "from dragoman.gen.dragoman.v1 import")
        text = text.replace("import dragoman.v1.", "import dragoman.gen.dragoman.v1.")
        path.write_text(text)
        written.append(path)
    for pkg in {out, *(p.parent for p in written)}:
        d = pkg
        while d != out.parent:
            (d / "__init__.py").touch()
            d = d.parent
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="fail if service/dragoman/gen is stale"
    )
    args = parser.parse_args()
    if not args.check:
        shutil.rmtree(OUT, ignore_errors=True)
        generate(OUT)
        print(f"generated into {OUT.relative_to(ROOT)}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp) / "gen")
        stale = []
        for f in fresh:
            rel = f.relative_to(Path(tmp) / "gen")
            mine = OUT / rel
            if not mine.exists() or mine.read_text() != f.read_text():
                stale.append(str(rel))
        if stale:
            where = OUT.relative_to(ROOT)
            sys.exit(f"{where} is stale ({', '.join(stale)}): run python scripts/gen_protos.py")
    print("service/dragoman/gen is up to date")


if __name__ == "__main__":
    main()
