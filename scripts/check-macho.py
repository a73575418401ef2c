#!/usr/bin/env python3
"""Checks macOS binaries built on Linux, which cannot be run here (scripts/release.sh runs it
on the darwin builds; the release workflow runs them on macOS runners):

- a 64-bit Mach-O executable for the expected CPU (arm64 or x86_64);
- the minimum macOS it declares (LC_BUILD_VERSION) is at most --max-minos;
- it loads only system libraries (/usr/lib, /System/Library);
- arm64: it carries a code signature (macOS kills unsigned arm64 code) whose page hashes
  match the file, so no step after the linker changed it.

usage: check-macho.py --arch arm64|x86_64 --max-minos 11.0 FILE...
"""

import argparse
import hashlib
import struct
import sys

MH_MAGIC_64 = 0xFEEDFACF
MH_EXECUTE = 0x2
CPU_TYPES = {"x86_64": 0x01000007, "arm64": 0x0100000C}
LC_LOAD_DYLIB = 0xC
LC_LOAD_WEAK_DYLIB = 0x80000018
LC_CODE_SIGNATURE = 0x1D
LC_BUILD_VERSION = 0x32
CSMAGIC_EMBEDDED_SIGNATURE = 0xFADE0CC0
CSMAGIC_CODEDIRECTORY = 0xFADE0C02
CS_HASHTYPE_SHA256 = 2


def code_signature_problems(data, dataoff, datasize):
    blob = data[dataoff : dataoff + datasize]
    magic, _, count = struct.unpack_from(">III", blob, 0)
    if magic != CSMAGIC_EMBEDDED_SIGNATURE:
        return ["the code signature is no embedded signature"]
    for i in range(count):
        slot, offset = struct.unpack_from(">II", blob, 12 + 8 * i)
        if slot != 0:
            continue
        cd = blob[offset:]
        (magic, _, _, _, hash_offset, _, _, n_code, code_limit, hash_size, hash_type, _,
         page_shift) = struct.unpack_from(">IIIIIIIIIBBBB", cd, 0)
        if magic != CSMAGIC_CODEDIRECTORY:
            return ["no code directory in the signature"]
        if hash_type != CS_HASHTYPE_SHA256:
            return [f"code directory hash type {hash_type}, expected SHA-256"]
        page = 1 << page_shift
        bad = 0
        for n in range(n_code):
            start = n * page
            digest = hashlib.sha256(data[start : min(start + page, code_limit)]).digest()
            if digest[:hash_size] != cd[hash_offset + n * hash_size : hash_offset + (n + 1) * hash_size]:
                bad += 1
        return [f"{bad} of {n_code} pages do not match the code signature"] if bad else []
    return ["the code signature has no code directory"]


def check(path, arch, max_minos):
    data = open(path, "rb").read()
    magic, cpu, _, filetype, ncmds = struct.unpack_from("<IiiII", data, 0)
    if magic != MH_MAGIC_64 or filetype != MH_EXECUTE:
        return ["not a 64-bit Mach-O executable"]
    problems = []
    if cpu != CPU_TYPES[arch]:
        problems.append(f"CPU type {cpu:#x}, expected {arch}")
    offset = 32
    minos = None
    signature = None
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, offset)
        if cmd == LC_BUILD_VERSION:
            raw = struct.unpack_from("<I", data, offset + 12)[0]
            minos = (raw >> 16, (raw >> 8) & 0xFF)
        elif cmd == LC_CODE_SIGNATURE:
            signature = struct.unpack_from("<II", data, offset + 8)
        elif cmd in (LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB):
            name_at = struct.unpack_from("<I", data, offset + 8)[0]
            name = data[offset + name_at : offset + size].split(b"\0")[0].decode()
            if not name.startswith(("/usr/lib/", "/System/Library/")):
                problems.append(f"loads {name}, which macOS does not have")
        offset += size
    if minos is None:
        problems.append("no minimum macOS version (LC_BUILD_VERSION)")
    elif minos > max_minos:
        problems.append(f"needs macOS {minos[0]}.{minos[1]}, more than {max_minos[0]}.{max_minos[1]}")
    if signature:
        problems += code_signature_problems(data, *signature)
    elif arch == "arm64":
        problems.append("no code signature: macOS refuses to run unsigned arm64 code")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", choices=sorted(CPU_TYPES), required=True)
    parser.add_argument("--max-minos", default="11.0")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    major, minor = (int(p) for p in args.max_minos.split("."))
    failed = False
    for path in args.files:
        for problem in check(path, args.arch, (major, minor)):
            print(f"{path}: {problem}", file=sys.stderr)
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
