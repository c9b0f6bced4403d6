"""LZF, as Redis's vendored liblzf 3.6 (HLOG 16, VERY_FAST) compresses RDB strings: same input, same bytes.

Redis leaves the compressor's hash table uninitialised on the stack; this one starts empty, which gives
Redis's output except when a stale slot of a previous call happens to point at a matching earlier
position (rare; the output is valid LZF either way).
"""

from __future__ import annotations


class LzfError(ValueError):
    """Compressed data that does not decompress to the announced length."""


_MAX_LIT = 1 << 5
_MAX_OFF = 1 << 13
_MAX_REF = (1 << 8) + (1 << 3)


def lzf_compress(data: bytes, out_len: int) -> bytes | None:
    """liblzf's lzf_compress with a zeroed hash table; None when the output would exceed out_len."""
    n = len(data)
    if not n or not out_len:
        return None
    out = bytearray(out_len + 8)
    htab: dict[int, int] = {}
    lit = 0
    op = 1  # out[op - lit - 1] is the pending literal run's length byte
    ip = 0
    hval = (data[0] << 8) | data[1] if n > 1 else 0
    while ip < n - 2:
        hval = ((hval << 8) | data[ip + 2]) & 0xFFFFFFFF
        slot = ((hval >> 8) - hval * 5) & 0xFFFF
        ref = htab.get(slot, -1)
        htab[slot] = ip
        if (
            ref > 0
            and ip - ref - 1 < _MAX_OFF
            and data[ref + 2] == data[ip + 2]
            and data[ref] == data[ip]
            and data[ref + 1] == data[ip + 1]
        ):
            off = ip - ref - 1
            maxlen = min(n - ip - 2, _MAX_REF)
            if op + 4 >= out_len and op - (not lit) + 4 >= out_len:
                return None
            out[op - lit - 1] = (lit - 1) & 0xFF
            op -= not lit
            length = 3
            if maxlen > 16:
                while length <= 18 and data[ref + length] == data[ip + length]:
                    length += 1
                if length == 19:
                    while length < maxlen and data[ref + length] == data[ip + length]:
                        length += 1
            else:
                while length < maxlen and data[ref + length] == data[ip + length]:
                    length += 1
            length -= 2
            ip += 1
            if length < 7:
                out[op] = (off >> 8) + (length << 5)
                op += 1
            else:
                out[op] = (off >> 8) + (7 << 5)
                out[op + 1] = length - 7
                op += 2
            out[op] = off & 0xFF
            op += 2  # the byte after starts the next literal run
            lit = 0
            ip += length + 1
            if ip >= n - 2:
                break
            ip -= 2
            hval = (data[ip] << 8) | data[ip + 1]
            for _ in range(2):
                hval = ((hval << 8) | data[ip + 2]) & 0xFFFFFFFF
                htab[((hval >> 8) - hval * 5) & 0xFFFF] = ip
                ip += 1
        else:
            if op >= out_len:
                return None
            out[op] = data[ip]
            op += 1
            ip += 1
            lit += 1
            if lit == _MAX_LIT:
                out[op - lit - 1] = lit - 1
                lit = 0
                op += 1
    if op + 3 > out_len:
        return None
    while ip < n:
        out[op] = data[ip]
        op += 1
        ip += 1
        lit += 1
        if lit == _MAX_LIT:
            out[op - lit - 1] = lit - 1
            lit = 0
            op += 1
    out[op - lit - 1] = (lit - 1) & 0xFF
    op -= not lit
    return bytes(out[:op])


def lzf_decompress(data: bytes, length: int) -> bytes:
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        ctrl = data[i]
        i += 1
        if ctrl < 32:  # literal run of ctrl + 1 bytes
            end = i + ctrl + 1
            if end > n:
                raise LzfError("LZF literal run past the end")
            out += data[i:end]
            i = end
            continue
        run = ctrl >> 5
        if run == 7:
            if i >= n:
                raise LzfError("LZF back reference cut short")
            run += data[i]
            i += 1
        if i >= n:
            raise LzfError("LZF back reference cut short")
        ref = len(out) - ((ctrl & 0x1F) << 8) - data[i] - 1
        i += 1
        if ref < 0:
            raise LzfError("LZF back reference before the start")
        for k in range(run + 2):  # byte by byte: the reference may overlap what it writes
            out.append(out[ref + k])
    if len(out) != length:
        raise LzfError("LZF data does not have the announced length")
    return bytes(out)
