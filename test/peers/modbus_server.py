"""An independent Modbus TCP peer for test/modbus.e2e.test.ts: Debian's pymodbus (3.0) server.

Serves a known register image on 127.0.0.1:<port>, encoded with pymodbus' own
BinaryPayloadBuilder, on unit ids 1 and 2 (same image). Holding registers are a sparse
block: an address with no value answers exception 2 (illegal data address), which gives the
tests an unmapped gap. Controlled over stdin with one JSON object per line; answers one JSON
object per line on stdout:

  {"cmd": "log"}                        -> {"log": [[unit, fc, address, count], ...]} (then cleared)
  {"cmd": "get", "unit": 1, "fc": 3, "address": 200, "count": 2}  -> {"values": [...]}
  {"cmd": "decode", "unit": 1, "address": 200, "type": "float32", "byteOrder": "big", "wordOrder": "big"}
                                        -> {"value": ...} (pymodbus' BinaryPayloadDecoder)
  {"cmd": "set", "unit": 1, "fc": 3, "address": 0, "values": [1, 2]} -> {"ok": true}
  {"cmd": "mute", "unit": 2} / {"cmd": "unmute", "unit": 2}  -> {"ok": true} (a muted unit never answers)

On start it prints {"ready": true, "port": N, "image": [...]}: every value it wrote, with where
and how, so the test compares what the connector decoded with what Python encoded.
"""
import argparse
import asyncio
import json
import logging
import sys
import threading

from pymodbus.constants import Endian
from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSparseDataBlock
from pymodbus.payload import BinaryPayloadBuilder, BinaryPayloadDecoder
from pymodbus.server import StartAsyncTcpServer

logging.basicConfig(level=logging.CRITICAL)
logging.getLogger("pymodbus").setLevel(logging.CRITICAL)

ORDER = {"big": Endian.Big, "little": Endian.Little}
REQUESTS = []  # [unit, fc, address, count] of every validated request


class LoggingContext(ModbusSlaveContext):
    """A slave context that records every request it validates (reads and writes alike)."""

    def __init__(self, unit, **kwargs):
        super().__init__(**kwargs)
        self.unit = unit

    def validate(self, fc_as_hex, address, count=1):
        REQUESTS.append([self.unit, fc_as_hex, address, count])
        return super().validate(fc_as_hex, address, count)


def encode(kind, value, byte_order, word_order):
    b = BinaryPayloadBuilder(byteorder=ORDER[byte_order], wordorder=ORDER[word_order])
    if kind == "int16":
        b.add_16bit_int(value)
    elif kind == "uint16":
        b.add_16bit_uint(value)
    elif kind == "int32":
        b.add_32bit_int(value)
    elif kind == "uint32":
        b.add_32bit_uint(value)
    elif kind == "float32":
        b.add_32bit_float(value)
    elif kind == "float64":
        b.add_64bit_float(value)
    else:
        raise ValueError(kind)
    return b.to_registers()


def build_image():
    hr, image = {}, []
    address = 0
    # Every numeric type in every byte order / word order combination, from 0 up.
    samples = [("int16", -12345), ("uint16", 54321), ("int32", -123456789), ("uint32", 3000000000),
               ("float32", 1.23), ("float64", -9876.54321)]
    for bo in ("big", "little"):
        for wo in ("big", "little"):
            for kind, value in samples:
                regs = encode(kind, value, bo, wo)
                for i, r in enumerate(regs):
                    hr[address + i] = r
                image.append({"name": f"{kind}_{bo}_{wo}", "area": "holding-register", "address": address,
                              "type": kind, "byteOrder": bo, "wordOrder": wo, "value": value})
                address += len(regs)
    # Strings: pymodbus packs characters as they come (first in the high byte); the
    # little-byte-order one swaps each register's two bytes, as some PLCs store them.
    b = BinaryPayloadBuilder(byteorder=Endian.Big)
    b.add_string("Hello PLC")
    for i, r in enumerate(b.to_registers()):
        hr[100 + i] = r
    for i in range(5 - len(b.to_registers())):
        hr[100 + len(b.to_registers()) + i] = 0
    image.append({"name": "string_big", "area": "holding-register", "address": 100, "type": "string", "length": 5, "byteOrder": "big", "value": "Hello PLC"})
    b = BinaryPayloadBuilder(byteorder=Endian.Big)
    b.add_string("Line-2 ok")
    regs = b.to_registers()
    for i in range(5):
        r = regs[i] if i < len(regs) else 0
        hr[110 + i] = ((r & 0xFF) << 8) | (r >> 8)
    image.append({"name": "string_little", "area": "holding-register", "address": 110, "type": "string", "length": 5, "byteOrder": "little", "value": "Line-2 ok"})
    # A scaled value: raw 2345 × 0.1 − 10 = 224.5.
    hr[120] = encode("int16", 2345, "big", "big")[0]
    image.append({"name": "scaled", "area": "holding-register", "address": 120, "type": "int16", "scale": 0.1, "offset": -10, "value": 224.5})
    # Bits of one register.
    hr[130] = 0b1000000000000101
    for bit, v in ((0, True), (1, False), (2, True), (15, True)):
        image.append({"name": f"bit_{bit}", "area": "holding-register", "address": 130, "type": "bool", "bit": bit, "value": v})
    # 140..159 with a hole at 150 (illegal data address there).
    for a in range(140, 160):
        if a != 150:
            hr[a] = a
    # Writable targets.
    for a in range(200, 230):
        hr[a] = 0
    # A float32 that is NaN.
    for i, r in enumerate(encode("float32", float("nan"), "big", "big")):
        hr[240 + i] = r
    co = {a: (a % 3 == 0) for a in range(0, 40)}
    di = {a: (a % 2 == 1) for a in range(0, 16)}
    ir = {}
    for i, r in enumerate(encode("float32", 21.5, "big", "big")):
        ir[i] = r
    ir[2] = 777
    image.append({"name": "ir_float", "area": "input-register", "address": 0, "type": "float32", "value": 21.5})
    image.append({"name": "ir_uint16", "area": "input-register", "address": 2, "type": "uint16", "value": 777})
    for a in (0, 1, 3, 5):
        image.append({"name": f"coil_{a}", "area": "coil", "address": a, "type": "bool", "value": a % 3 == 0})
    for a in (0, 1, 7):
        image.append({"name": f"di_{a}", "area": "discrete-input", "address": a, "type": "bool", "value": a % 2 == 1})
    return hr, co, di, ir, image


def make_unit(unit, hr, co, di, ir):
    return LoggingContext(unit, hr=ModbusSparseDataBlock(dict(hr)), co=ModbusSparseDataBlock(dict(co)),
                          di=ModbusSparseDataBlock(dict(di)), ir=ModbusSparseDataBlock(dict(ir)), zero_mode=True)


def decode(ctx, msg):
    kind = msg["type"]
    n = {"int16": 1, "uint16": 1, "int32": 2, "uint32": 2, "float32": 2, "float64": 4}.get(kind, msg.get("length", 1))
    regs = ctx.getValues(3, msg["address"], n)
    d = BinaryPayloadDecoder.fromRegisters(regs, byteorder=ORDER[msg.get("byteOrder", "big")], wordorder=ORDER[msg.get("wordOrder", "big")])
    if kind == "string":
        return d.decode_string(2 * n).rstrip(b"\x00").decode("latin-1")
    return getattr(d, {"int16": "decode_16bit_int", "uint16": "decode_16bit_uint", "int32": "decode_32bit_int",
                       "uint32": "decode_32bit_uint", "float32": "decode_32bit_float", "float64": "decode_64bit_float"}[kind])()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    hr, co, di, ir, image = build_image()
    units = {u: make_unit(u, hr, co, di, ir) for u in (1, 2)}
    context = ModbusServerContext(slaves=dict(units), single=False)
    server = await StartAsyncTcpServer(context, address=("127.0.0.1", args.port), defer_start=True,
                                       allow_reuse_address=True, ignore_missing_slaves=True)
    loop = asyncio.get_running_loop()
    serving = asyncio.ensure_future(server.serve_forever())
    await server.serving

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    def handle(line):
        try:
            msg = json.loads(line)
            cmd = msg["cmd"]
            if cmd == "log":
                out = list(REQUESTS)
                REQUESTS.clear()
                reply({"log": out})
            elif cmd == "get":
                reply({"values": units[msg["unit"]].getValues(msg["fc"], msg["address"], msg["count"])})
            elif cmd == "set":
                units[msg["unit"]].setValues(msg["fc"], msg["address"], msg["values"])
                reply({"ok": True})
            elif cmd == "decode":
                reply({"value": decode(units[msg["unit"]], msg)})
            elif cmd == "mute":
                del context[msg["unit"]]
                reply({"ok": True})
            elif cmd == "unmute":
                context[msg["unit"]] = units[msg["unit"]]
                reply({"ok": True})
            else:
                reply({"error": f"unknown command {cmd}"})
        except Exception as exc:  # pylint: disable=broad-except
            reply({"error": repr(exc)})

    def read_stdin():
        for line in sys.stdin:
            if line.strip():
                loop.call_soon_threadsafe(handle, line)
        loop.call_soon_threadsafe(serving.cancel)

    threading.Thread(target=read_stdin, daemon=True).start()
    reply({"ready": True, "port": args.port, "image": image})
    try:
        await serving
    except asyncio.CancelledError:
        pass


if __name__ == "__main__":
    asyncio.run(main())
