#!/usr/bin/env python3
"""Seed inputs for the libFuzzer targets (tests/fuzz/*.c), written as
tests/fuzz/NAME/seed-*: what each target's input format says, filled with
the requests an LPA sends and the packages of profiles/ts48. The fuzzers
grow the corpora from these; fuzz_state's seeds are states the card wrote
(run the profile and download corpora with FUZZ_DUMP_STATE, see README).

    tests/fuzz/seeds.py            (from the top of the tree)
"""
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TS48 = os.path.join(TOP, "profiles", "ts48")
ISDR_AID = bytes.fromhex("A0000005591010FFFFFFFF8900000100")
USIM_AID = bytes.fromhex("A0000000871002FF49FF0589")
ISIM_AID = bytes.fromhex("A0000000871004FF49FF0589")


def header(tag, n):
    t = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    if n < 0x80:
        return t + bytes([n])
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return t + bytes([0x80 | len(ln)]) + ln


def tlv(tag, *parts):
    v = b"".join(parts)
    return header(tag, len(v)) + v


def frame(b):
    """A frame of tests/fuzz/fuzz_common.h."""
    if 1 <= len(b) <= 254:
        return bytes([len(b)]) + b
    return b"\xff" + len(b).to_bytes(2, "big") + b


def event(e, *args):
    return bytes([0, e]) + bytes(args)


def pes(pkg):
    """The DER elements of a package."""
    out, i = [], 0
    while i < len(pkg):
        j = i + 1
        if pkg[i] & 0x1F == 0x1F:
            while pkg[j] & 0x80:
                j += 1
            j += 1
        n = pkg[j]
        j += 1
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(pkg[j:j + k], "big")
            j += k
        out.append(pkg[i:j + n])
        i = j + n
    return out


def package(name, keep=None):
    pkg = open(os.path.join(TS48, name), "rb").read()
    if keep is None:
        return pkg
    p = pes(pkg)
    return b"".join(p[k] for k in keep) + p[-1]


def iccid5a(pkg):
    """The header ICCID as tag 5A carries it (nibbles swapped)."""
    hdr = pes(pkg)[0]
    i = hdr.index(b"\x83\x0a") + 2
    return bytes(((b << 4) | (b >> 4)) & 0xFF for b in hdr[i:i + 10])


def store_data(ch, der):
    """STORE DATA blocks of 255 bytes (frames) carrying one ES10 command."""
    cla = 0x80 | ch
    blocks = [der[i:i + 255] for i in range(0, len(der), 255)] or [b""]
    return b"".join(frame(bytes([cla, 0xE2, 0x91 if k == len(blocks) - 1 else 0x11, k, len(b)]) + b)
                    for k, b in enumerate(blocks))


OPEN_ISDR = frame(bytes.fromhex("0070000001")) + frame(bytes.fromhex("01A4040010") + ISDR_AID)


def es10(der, ch=1):
    return store_data(ch, der)


def profile_id(iccid):
    return tlv(0xA0, tlv(0x5A, iccid))


def metadata(iccid, name=b"seed", cls=None, events=None, addr=None, owner=None, ppr=None, icon=False):
    body = tlv(0x5A, iccid) + tlv(0x91, b"seed SP") + tlv(0x92, name)
    if icon:
        body += tlv(0x93, b"\x01") + tlv(0x94, bytes.fromhex("89504E470D0A1A0A"))
    if cls is not None:
        body += tlv(0x95, bytes([cls]))
    if addr:
        body += tlv(0xB6, tlv(0x30, tlv(0x80, bytes([4, events])), tlv(0x81, addr)))
    if owner:
        body += tlv(0xB7, tlv(0x80, owner))
    if ppr:
        body += tlv(0x99, bytes([5, ppr]))
    return tlv(0xBF25, body)


def write(target, name, data):
    d = os.path.join(TOP, "tests", "fuzz", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# ---- fuzz_saip: c, then the package ----------------------------------------

def saip_seeds():
    full = ["TS48V1-A-UNIQUE.der", "TS48V1-B-UNIQUE.der", "TS48V2-SAIP2-1-BERTLV-UNIQUE.der",
            "TS48V2-SAIP2-3-NOBERTLV-UNIQUE.der", "TS48V3-SAIP2-3-BERTLV-UNIQUE.der",
            "TS48V4-SAIP2-1A-NOBERTLV-UNIQUE.der", "TS48V5-SAIP2-1B-NOBERTLV-UNIQUE.der",
            "TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der"]
    for k, name in enumerate(full):
        write("saip", "full-" + name[:-4], bytes([(k * 37 + 5) % 256]) + package(name))
    small = {
        "header-mf-end": [0, 1],
        "codes": [0, 1, 2, 3],
        "usim": list(range(11)),
        "isim-csim": list(range(16)),
    }
    for k, (name, keep) in enumerate(small.items()):
        write("saip", "cut-" + name, bytes([k * 3]) + package("TS48V2-SAIP2-1-BERTLV-UNIQUE.der", keep))
    write("saip", "header-only", b"\x07" + pes(package("TS48V1-A-UNIQUE.der"))[0])
    # PEs the TS.48 packages do not have, after ADF.USIM and its AKA PE
    base = pes(package("TS48V2-SAIP2-1-BERTLV-UNIQUE.der"))
    for k, (name, extra) in enumerate(extra_pes().items()):
        write("saip", "pe-" + name, bytes([k * 11 + 1]) + b"".join(base[:11]) + extra + base[-1])


def der_int(v):
    return v.to_bytes(v.bit_length() // 8 + 1, "big")


def pe_header(ident, mandated=False):
    return tlv(0xA0, (tlv(0x80, b"") if mandated else b"") + tlv(0x81, der_int(ident)))


def extra_pes():
    """Profile elements of the TCA format that no TS.48 package carries."""
    pkg = bytes.fromhex("A0000005591010")
    inst = bytes.fromhex("A000000559101001")
    k = bytes(range(16))
    return {
        "application": tlv(0xA8, pe_header(100),
                           tlv(0xA1, tlv(0x4F, pkg), tlv(0xC4, bytes(32))),
                           tlv(0xA2, tlv(0x30, tlv(0x4F, pkg), tlv(0x4F, pkg + b"\x01"), tlv(0x4F, inst),
                                         tlv(0x82, b"\x00"), tlv(0x83, b"\x0f"), tlv(0xC9, b"")))),
        "aka-mapped": tlv(0xA4, pe_header(101), tlv(0xA1, tlv(0xA0, tlv(0x80, b"\x01"),
                                                              tlv(0x81, USIM_AID)))),
        "aka-sqn": tlv(0xA4, pe_header(102),
                       tlv(0xA1, tlv(0xA1, tlv(0x80, b"\x01"), tlv(0x81, b"\x00"), tlv(0x82, k), tlv(0x83, k))),
                       tlv(0x82, b"\x00"), tlv(0x83, bytes.fromhex("000000000100")),
                       tlv(0x84, bytes.fromhex("000000000200")),
                       tlv(0xA5, b"".join(tlv(0x04, (i + 1).to_bytes(6, "big")) for i in range(32)))),
        "aka-tuak": tlv(0xA4, pe_header(103),
                        tlv(0xA1, tlv(0xA1, tlv(0x80, b"\x02"), tlv(0x81, b"\x01"), tlv(0x82, k + k),
                                      tlv(0x83, k + k)))),
        "pin-shared": tlv(0xA2, pe_header(104), tlv(0xA1, tlv(0x81, bytes.fromhex("7FD0")))),
        "non-standard": tlv(0xA9, pe_header(105), tlv(0x81, bytes.fromhex("2A0304")), tlv(0x82, b"\xab\xcd")),
        "cdma": tlv(0xA5, pe_header(106), tlv(0x81, bytes(8))),
        "rfu-mandated": tlv(0xAB, b""),
        "iot-mandated": tlv(0xBF20, pe_header(107, True), tlv(0x81, bytes.fromhex("2A0304")), tlv(0xA9, b""),
                             tlv(0xB2, b"")),
        "later-version": tlv(0xBF30, pe_header(108)),
    }


# ---- fuzz_download: flags, slots, APDUs -------------------------------------

DEFAULT = event(0)          # a slot left to the SM-DP+


def download_seeds():
    a = package("TS48V1-A-UNIQUE.der")
    ia = iccid5a(a)
    usim = package("TS48V2-SAIP2-1-BERTLV-UNIQUE.der", list(range(11)))
    iu = iccid5a(usim)
    plain = DEFAULT * 4
    for flags, name in [(0x00, "nist"), (0x01, "brp"), (0x02, "no-rsk"), (0x04, "strict"), (0x0C, "small-memory"),
                        (0x10, "cc"), (0x21, "brp-255"), (0x40, "cancel"), (0x07, "strict-brp-no-rsk")]:
        write("download", name, bytes([flags]) + plain)
    write("download", "cut-after-4", b"\x80\x80\x04" + plain)
    for flags2, name in [(0x01, "remote-op-2"), (0x02, "crt-key-type"), (0x04, "bf23-txid"), (0x08, "smdp-sign"),
                         (0x10, "euicc-challenge"), (0x20, "dpauth-role"), (0x30, "smdp-signature2"),
                         (0x40, "notifications-full")]:
        write("download", name, bytes([0x80, flags2]) + plain)
    write("download", "installed-already", b"\x0c" + plain)
    write("download", "installed-already-tiny", b"\x0c" + DEFAULT * 3 +
          frame(package("TS48V1-B-UNIQUE.der", [0, 1])))
    write("download", "no-test-support", b"\x0c" + DEFAULT + frame(metadata(
        iccid5a(package("TS48V1-B-UNIQUE.der")), b"t", cls=0)) + DEFAULT + frame(package("TS48V1-B-UNIQUE.der", [0, 1])))
    info = es10(tlv(0xBF22, b"")) + es10(tlv(0xBF43, b"")) + es10(tlv(0xBF20, b""))
    write("download", "strict-info", b"\x04" + plain + info)
    write("download", "rat-info", b"\x08" + plain + info)
    meta = metadata(ia, b"test profile", cls=0, events=0x70, addr=b"smdp.example.com", icon=True)
    write("download", "metadata-test-class", b"\x00" + DEFAULT + frame(meta) + DEFAULT * 2)
    meta = metadata(ia, b"ppr", cls=2, events=0x70, addr=b"op.example.com", owner=b"\x00\xf1\x10", ppr=0x60)
    write("download", "metadata-ppr-rat", b"\x08" + DEFAULT + frame(meta) + DEFAULT * 2)
    write("download", "metadata-ppr-no-rat", b"\x00" + DEFAULT + frame(meta) + DEFAULT * 2)
    conf = tlv(0xBF24, tlv(0xB8, tlv(0x80, bytes.fromhex("883701"))))
    write("download", "configure-dp-data", b"\x00" + frame(conf) + DEFAULT * 3)
    cuts = bytes([3]) + b"".join(n.to_bytes(2, "big") for n in [1, 0, 7]) + \
        b"".join(n.to_bytes(2, "big") for n in [0, 1, 2, 300, 1020, 16, 4000])
    write("download", "segments", b"\x01" + DEFAULT * 2 + frame(cuts) + DEFAULT)
    write("download", "usim-package", b"\x00" + DEFAULT * 3 + frame(usim))
    write("download", "tiny-package", b"\x00" + DEFAULT * 3 + frame(package("TS48V1-B-UNIQUE.der", [0, 1])))
    write("download", "whole-package", b"\x00" + DEFAULT * 3 + frame(a))
    after = es10(tlv(0xBF31, profile_id(ia), tlv(0x81, b"\x00"))) + \
        frame(bytes.fromhex("00A4040C") + bytes([len(USIM_AID)]) + USIM_AID) + \
        frame(bytes.fromhex("00A4000C026F07")) + frame(bytes.fromhex("00B0000009")) + \
        es10(tlv(0xBF2D, b"")) + es10(tlv(0xBF32, profile_id(ia), tlv(0x81, b"\x00"))) + \
        es10(tlv(0xBF33, tlv(0x5A, ia)))
    write("download", "then-enable", b"\x00" + plain + after)
    write("download", "usim-then-enable", b"\x00" + DEFAULT * 3 + frame(usim) +
          es10(tlv(0xBF31, profile_id(iu), tlv(0x81, b"\xff"))) + frame(bytes.fromhex("00A4000C022FE2")) +
          frame(bytes.fromhex("00B000000A")))


def raw_seeds():
    def mut(which, op, off, data=b""):
        return frame(bytes([which, op]) + off.to_bytes(2, "big") + data)
    write("download_raw", "none", b"\x00")
    write("download_raw", "none-brp", b"\x01")
    write("download_raw", "bf36-length", b"\x00" + mut(2, 0, 2, b"\x01"))
    write("download_raw", "bf23-txid", b"\x00" + mut(2, 0, 12, b"\x80"))
    write("download_raw", "a0-replaced", b"\x00" + mut(3, 1, 0, bytes.fromhex("A003870100")))
    write("download_raw", "a1-empty", b"\x00" + mut(4, 1, 0, b"\xA1\x00"))
    write("download_raw", "88-cut", b"\x00" + mut(5, 3, 10))
    write("download_raw", "86-inserted", b"\x02" + mut(8, 2, 4, b"\x00\x00"))
    write("download_raw", "86-cut", b"\x00" + mut(9, 3, 100, b"\x86\x00"))
    write("download_raw", "auth-ctx", b"\x00" + mut(0, 0, 40, b"\x01"))
    write("download_raw", "prepare-cut", b"\x00" + mut(1, 3, 20))
    write("download_raw", "beyond-last-piece", b"\x10" + mut(200, 0, 0, b"\x00"))


# ---- fuzz_profile: APDUs and events -----------------------------------------

def profile_seeds():
    p1 = iccid5a(package("TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der"))
    p2 = iccid5a(package("TS48V1-B-UNIQUE.der"))
    p3 = iccid5a(package("TS48V2-SAIP2-1-BERTLV-UNIQUE.der"))
    no = b"\x81\x01\x00"
    yes = b"\x81\x01\xff"
    s = {
        "list": es10(tlv(0xBF2D, b"")),
        "list-tags": es10(tlv(0xBF2D, tlv(0x5C, bytes.fromhex("5A4F9F709091929394959699B6B7B8")))),
        "list-by-iccid": es10(tlv(0xBF2D, tlv(0xA0, tlv(0x5A, p2)))),
        "list-by-aid": es10(tlv(0xBF2D, tlv(0xA0, tlv(0x4F, bytes.fromhex("A0000005591010FFFFFFFF8900001100"))))),
        "list-by-class": es10(tlv(0xBF2D, tlv(0xA0, tlv(0x95, b"\x00")))),
        "ppr1-switch": es10(tlv(0xBF31, profile_id(p2), no)) + es10(tlv(0xBF31, profile_id(p1), no)) +
        es10(tlv(0xBF32, profile_id(p2), no)),
        "ppr3-delete-on-disable": es10(tlv(0xBF31, profile_id(p3), no)) + es10(tlv(0xBF32, profile_id(p3), no)) +
        es10(tlv(0xBF2D, b"")),
        "full-notifications": event(0xF4) + es10(tlv(0xBF32, profile_id(p1), no)) +
        es10(tlv(0xBF28, b"")) + es10(tlv(0xBF30, tlv(0x80, b"\x01"))) + es10(tlv(0xBF32, profile_id(p1), no)),
        "enable-p2": es10(tlv(0xBF31, profile_id(p2), no)) + es10(tlv(0xBF2D, b"")),
        "enable-p2-refresh": es10(tlv(0xBF31, profile_id(p2), yes)),
        "enable-p3-by-aid": es10(tlv(0xBF31, tlv(0xA0, tlv(0x4F, bytes.fromhex("A0000005591010FFFFFFFF8900001200"))),
                                     no)),
        "disable-p1": es10(tlv(0xBF32, profile_id(p1), no)) + es10(tlv(0xBF28, b"")),
        "delete-p1": es10(tlv(0xBF33, tlv(0x5A, p1))),
        "delete-p2-ppr2": es10(tlv(0xBF33, tlv(0x5A, p2))),
        "delete-p3": es10(tlv(0xBF33, tlv(0x5A, p3))) + es10(tlv(0xBF2D, b"")),
        "nickname": es10(tlv(0xBF29, tlv(0x5A, p1), tlv(0x90, b"my profile"))),
        "memory-reset": es10(tlv(0xBF34, tlv(0x82, b"\x05\xe0"))),
        "memory-reset-test": es10(tlv(0xBF34, tlv(0x82, b"\x06\x40"))),
        "notifications": es10(tlv(0xBF28, b"")) + es10(tlv(0xBF2B, b"")) + es10(tlv(0xBF30, tlv(0x80, b"\x01"))),
        "notifications-filter": es10(tlv(0xBF28, tlv(0x81, b"\x06\x40"))) +
        es10(tlv(0xBF2B, tlv(0xA0, tlv(0x80, b"\x01")))),
        "default-dp": es10(tlv(0xBF3F, tlv(0x80, b"dp.example.com"))) + es10(tlv(0xBF3C, b"")),
        "info": es10(tlv(0xBF20, b"")) + es10(tlv(0xBF22, b"")) + es10(tlv(0xBF3E, tlv(0x5C, b"\x5a"))) +
        es10(tlv(0xBF43, b"")),
        "usim-files": frame(bytes.fromhex("00A4040410") + USIM_AID + b"\xff\xff\xff\xff") +
        frame(bytes.fromhex("00A40004026F07")) + frame(bytes.fromhex("00B0000009")) +
        frame(bytes.fromhex("80F2000000")) + frame(bytes.fromhex("00A40004026F06")) +
        frame(bytes.fromhex("00B2010400")),
        "isim-files": frame(bytes.fromhex("00A404040C") + ISIM_AID) + frame(bytes.fromhex("00A40004026F02")) +
        frame(bytes.fromhex("00B0000000")),
        "mf-paths": frame(bytes.fromhex("00A40004023F00")) + frame(bytes.fromhex("00A40804047F105F50")) +
        frame(bytes.fromhex("00A40004024F20")) + frame(bytes.fromhex("00B2010400")) +
        frame(bytes.fromhex("00A4000C022F00")) + frame(bytes.fromhex("00B2010000")) +
        frame(bytes.fromhex("00B0820000")) + frame(bytes.fromhex("80F2000C00")),
        "channels": frame(bytes.fromhex("0070000001")) + frame(bytes.fromhex("01A4040410") + USIM_AID +
                                                                b"\xff\xff\xff\xff") +
        frame(bytes.fromhex("0070800100")) + frame(bytes.fromhex("80AA00000AA9088100820101830107")),
        "fault-enable": event(0xF0, 8, 0, 3) + es10(tlv(0xBF31, profile_id(p2), no)),
        "fault-list": event(0xF0, 7, 0, 127) + es10(tlv(0xBF2D, b"")),
        "fault-bpp": event(0xF0, 13, 1, 12) + es10(tlv(0xBF2D, b"")),
        "memory-fault": event(0xF1, 0, 16) + es10(tlv(0xBF22, b"")),
        "refresh": es10(tlv(0xBF31, profile_id(p2), yes)) + event(0xF2) +
        frame(bytes.fromhex("00A4040410") + USIM_AID + b"\xff\xff\xff\xff"),
        "restart": es10(tlv(0xBF29, tlv(0x5A, p2), tlv(0x90, b"x"))) + event(0xF3) + es10(tlv(0xBF2D, b"")),
        "challenge-reset": es10(tlv(0xBF2E, b"")) + event(2) + es10(tlv(0xBF2E, b"")) +
        es10(tlv(0xBF41, tlv(0x80, bytes(16)), tlv(0x81, b"\x00"))),
    }
    for name, body in s.items():
        write("profile", name, OPEN_ISDR + body)


def main():
    saip_seeds()
    download_seeds()
    raw_seeds()
    profile_seeds()
    return 0


if __name__ == "__main__":
    sys.exit(main())
