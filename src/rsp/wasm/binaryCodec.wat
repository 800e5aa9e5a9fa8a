;; The byte kernels of the RSP codec for large payloads (src/rsp/binaryKernels.ts runs them):
;; the checksum, the count of `}` escapes, the undoing of escapes and hex encoding, 16 bytes
;; per step with WebAssembly SIMD. A 128 KiB X packet is summed, counted and unescaped in about
;; a quarter of the time the fastest JavaScript took, and a 64 KiB `m` reply encoded in a
;; tenth (docs/performance.md, "SIMD kernels").
;; `npm run wasm` assembles this file into binaryCodecModule.ts; a unit test checks that the
;; two agree.
;;
;; Memory is the caller's to lay out: it copies the payload in and reads results out. Every
;; function takes [at, at + length) and touches nothing else, except `unescape`, which writes
;; its output from `out` and may write up to 15 bytes past the output's end (a whole vector is
;; stored before it is known how much of it is kept).
(module
  (memory (export "memory") 1)

  ;; Sum of the bytes modulo 256: the two hex digits after `#`. Each vector's 16 bytes are
  ;; added pairwise into 8 16-bit lanes, then into 4 32-bit lanes; 32-bit sums wrap modulo
  ;; 2^32, which keeps the low 8 bits, the only ones wanted.
  (func (export "checksum") (param $at i32) (param $length i32) (result i32)
    (local $end i32) (local $lanes v128) (local $sum i32)
    (local.set $end (i32.add (local.get $at) (local.get $length)))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.gt_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
        (local.set $lanes
          (i32x4.add (local.get $lanes)
            (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (v128.load (local.get $at))))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $vectors)))
    (local.set $sum
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $lanes)) (i32x4.extract_lane 1 (local.get $lanes)))
        (i32.add (i32x4.extract_lane 2 (local.get $lanes)) (i32x4.extract_lane 3 (local.get $lanes)))))
    (block $bytesDone
      (loop $bytes
        (br_if $bytesDone (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $bytes)))
    (i32.and (local.get $sum) (i32.const 255)))

  ;; The number of `}` bytes, or -1 when two of them are adjacent. Without adjacent ones every
  ;; `}` is an escape (GDB and LLDB never send two in a row: the byte after an escape is the
  ;; escaped one XOR 0x20, never `}`), so the caller knows the unescaped length at once; a
  ;; client that sends `}}` (one escape taking `}` as its byte) gets the exact count from the
  ;; caller's byte loop. Matches are counted in 8-bit lanes (each vector adds 1 per `}`), which
  ;; are widened and added up every 255 vectors, before a lane can wrap.
  (func (export "escapes") (param $at i32) (param $length i32) (result i32)
    (local $end i32) (local $matches v128) (local $previous v128) (local $adjacent v128)
    (local $lanes v128) (local $budget i32) (local $count i32) (local $lastWasEscape i32)
    (local $isEscape i32)
    (local.set $end (i32.add (local.get $at) (local.get $length)))
    (block $vectorsDone
      (loop $batches
        (br_if $vectorsDone (i32.gt_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
        (local.set $lanes (v128.const i64x2 0 0))
        (local.set $budget (i32.const 255))
        (block $batchDone
          (loop $vectors
            (br_if $batchDone (i32.gt_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
            (br_if $batchDone (i32.eqz (local.get $budget)))
            ;; 0xff in each lane holding `}`.
            (local.set $matches
              (i8x16.eq (v128.load (local.get $at))
                (v128.const i8x16 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d)))
            ;; A match whose preceding byte (the previous vector's last lane for lane 0) matched too.
            (local.set $adjacent
              (v128.or (local.get $adjacent)
                (v128.and (local.get $matches)
                  (i8x16.shuffle 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 (local.get $previous) (local.get $matches)))))
            (local.set $previous (local.get $matches))
            (local.set $lanes (i8x16.sub (local.get $lanes) (local.get $matches)))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (local.set $budget (i32.sub (local.get $budget) (i32.const 1)))
            (br $vectors)))
        (local.set $lanes (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $lanes))))
        (local.set $count
          (i32.add (local.get $count)
            (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $lanes)) (i32x4.extract_lane 1 (local.get $lanes)))
              (i32.add (i32x4.extract_lane 2 (local.get $lanes)) (i32x4.extract_lane 3 (local.get $lanes))))))
        (br $batches)))
    (if (v128.any_true (local.get $adjacent)) (then (return (i32.const -1))))
    (local.set $lastWasEscape (i8x16.extract_lane_u 15 (local.get $previous)))
    (block $bytesDone
      (loop $bytes
        (br_if $bytesDone (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $isEscape (i32.eq (i32.load8_u (local.get $at)) (i32.const 0x7d)))
        (if (i32.and (local.get $isEscape) (i32.ne (local.get $lastWasEscape) (i32.const 0)))
          (then (return (i32.const -1))))
        (local.set $count (i32.add (local.get $count) (local.get $isEscape)))
        (local.set $lastWasEscape (local.get $isEscape))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $bytes)))
    (local.get $count))

;; Writes each byte of [at, at + length) as two lowercase hex digits, high nibble first, into
  ;; memory from `out` (not overlapping the input); returns the sum of the digits modulo 256,
  ;; the reply's checksum. Each vector's nibbles pick their digits from a 16-byte table
  ;; (swizzle), and the two halves are interleaved into 32 bytes of output.
  (func (export "hex") (param $at i32) (param $length i32) (param $out i32) (result i32)
    (local $end i32) (local $vector v128) (local $high v128) (local $low v128) (local $lanes v128)
    (local $sum i32) (local $byte i32) (local $nibble i32)
    (local.set $end (i32.add (local.get $at) (local.get $length)))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.gt_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
        (local.set $vector (v128.load (local.get $at)))
        (local.set $high
          (i8x16.swizzle
            (v128.const i8x16 0x30 0x31 0x32 0x33 0x34 0x35 0x36 0x37 0x38 0x39 0x61 0x62 0x63 0x64 0x65 0x66)
            (i8x16.shr_u (local.get $vector) (i32.const 4))))
        (local.set $low
          (i8x16.swizzle
            (v128.const i8x16 0x30 0x31 0x32 0x33 0x34 0x35 0x36 0x37 0x38 0x39 0x61 0x62 0x63 0x64 0x65 0x66)
            (v128.and (local.get $vector) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))))
        (v128.store (local.get $out)
          (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $high) (local.get $low)))
        (v128.store offset=16 (local.get $out)
          (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $high) (local.get $low)))
        ;; Digits are at most 0x66: 16-bit sums of pairs of them, then 32-bit lanes.
        (local.set $lanes
          (i32x4.add (local.get $lanes)
            (i32x4.extadd_pairwise_i16x8_u
              (i16x8.add (i16x8.extadd_pairwise_i8x16_u (local.get $high)) (i16x8.extadd_pairwise_i8x16_u (local.get $low))))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (br $vectors)))
    (local.set $sum
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $lanes)) (i32x4.extract_lane 1 (local.get $lanes)))
        (i32.add (i32x4.extract_lane 2 (local.get $lanes)) (i32x4.extract_lane 3 (local.get $lanes)))))
    (block $bytesDone
      (loop $bytes
        (br_if $bytesDone (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $byte (i32.load8_u (local.get $at)))
        ;; A nibble n is the digit 0x30 + n, or 0x57 + n (`a` - 10 + n) from 10 on.
        (local.set $nibble (i32.shr_u (local.get $byte) (i32.const 4)))
        (local.set $nibble
          (i32.add (local.get $nibble) (select (i32.const 0x57) (i32.const 0x30) (i32.ge_u (local.get $nibble) (i32.const 10)))))
        (i32.store8 (local.get $out) (local.get $nibble))
        (local.set $sum (i32.add (local.get $sum) (local.get $nibble)))
        (local.set $nibble (i32.and (local.get $byte) (i32.const 15)))
        (local.set $nibble
          (i32.add (local.get $nibble) (select (i32.const 0x57) (i32.const 0x30) (i32.ge_u (local.get $nibble) (i32.const 10)))))
        (i32.store8 offset=1 (local.get $out) (local.get $nibble))
        (local.set $sum (i32.add (local.get $sum) (local.get $nibble)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (local.set $out (i32.add (local.get $out) (i32.const 2)))
        (br $bytes)))
    (i32.and (local.get $sum) (i32.const 255)))

  ;; Undoes `}` escapes (`}` then the byte XOR 0x20, whatever that byte is) from [at, at +
  ;; length) into memory from `out`, which must not overlap the input and must have 15 bytes
  ;; of room past the output. Returns the output's length, or -1 when the input ends in a lone
  ;; `}`. A vector without `}` is stored whole; one with a `}` is stored whole too (its bytes
  ;; before the `}` are then in place, the rest is overwritten later), and the escape is undone
  ;; on its own, after which the next vector is read from the byte after the escaped one.
  (func (export "unescape") (param $at i32) (param $length i32) (param $out i32) (result i32)
    (local $end i32) (local $written i32) (local $vector v128) (local $escapeMask i32) (local $before i32)
    (local.set $end (i32.add (local.get $at) (local.get $length)))
    (local.set $written (local.get $out))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.gt_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
        (local.set $vector (v128.load (local.get $at)))
        (v128.store (local.get $written) (local.get $vector))
        (local.set $escapeMask
          (i8x16.bitmask
            (i8x16.eq (local.get $vector)
              (v128.const i8x16 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d))))
        (if (i32.eqz (local.get $escapeMask))
          (then
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (local.set $written (i32.add (local.get $written) (i32.const 16)))
            (br $vectors)))
        (local.set $before (i32.ctz (local.get $escapeMask)))
        (local.set $at (i32.add (local.get $at) (local.get $before)))
        (local.set $written (i32.add (local.get $written) (local.get $before)))
        (if (i32.ge_u (i32.add (local.get $at) (i32.const 1)) (local.get $end)) (then (return (i32.const -1))))
        (i32.store8 (local.get $written) (i32.xor (i32.load8_u offset=1 (local.get $at)) (i32.const 0x20)))
        (local.set $at (i32.add (local.get $at) (i32.const 2)))
        (local.set $written (i32.add (local.get $written) (i32.const 1)))
        (br $vectors)))
    (block $bytesDone
      (loop $bytes
        (br_if $bytesDone (i32.ge_u (local.get $at) (local.get $end)))
        (if (i32.eq (i32.load8_u (local.get $at)) (i32.const 0x7d))
          (then
            (if (i32.ge_u (i32.add (local.get $at) (i32.const 1)) (local.get $end)) (then (return (i32.const -1))))
            (i32.store8 (local.get $written) (i32.xor (i32.load8_u offset=1 (local.get $at)) (i32.const 0x20)))
            (local.set $at (i32.add (local.get $at) (i32.const 2))))
          (else
            (i32.store8 (local.get $written) (i32.load8_u (local.get $at)))
            (local.set $at (i32.add (local.get $at) (i32.const 1)))))
        (local.set $written (i32.add (local.get $written) (i32.const 1)))
        (br $bytes)))
    (i32.sub (local.get $written) (local.get $out)))
)
