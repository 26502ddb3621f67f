@testable import DAXMemory
import DaxCore
import Foundation
import Testing

@Suite("Touch harness")
struct TouchTests {
    @Test func patternThenVerifyPasses() throws {
        let target = try MemoryTarget.memfd(name: "roundtrip", size: 2 << 20)
        let mapping = try target.map()
        let written = try mapping.touch(TouchOptions(mode: .pattern, threads: 2, seed: 42))
        #expect(written.mode == .pattern)
        #expect(written.verified == nil)
        #expect(written.mismatchOffset == nil)
        let first = mapping.baseAddress.load(fromByteOffset: 0, as: UInt64.self)
        #expect(first == TouchPattern.word(seed: 42, offset: 0))
        let later = mapping.baseAddress.load(fromByteOffset: 123_456, as: UInt64.self)
        #expect(later == TouchPattern.word(seed: 42, offset: 123_456))

        let verified = try mapping.touch(TouchOptions(mode: .verify, threads: 3, seed: 42))
        #expect(verified.verified == true)
        #expect(verified.mismatchOffset == nil)
        #expect(verified.mismatchCount == 0)
        try verified.checkVerified()

        // Another seed does not verify.
        let wrongSeed = try mapping.touch(TouchOptions(mode: .verify, threads: 1, seed: 43))
        #expect(wrongSeed.verified == false)
        #expect(wrongSeed.mismatchOffset == 0)
        #expect(wrongSeed.mismatchCount == (2 << 20) / 8)
    }

    @Test("one corrupt byte is reported at its word", arguments: [0, 13, 4096 * 3 + 13, (2 << 20) - 1])
    func corruptByteIsFound(byte: Int) throws {
        let target = try MemoryTarget.memfd(name: "corrupt", size: 2 << 20)
        let mapping = try target.map()
        _ = try mapping.touch(TouchOptions(mode: .pattern, threads: 4, seed: 7))
        mapping.bytes[byte] ^= 0x01
        let report = try mapping.touch(TouchOptions(mode: .verify, threads: 4, seed: 7))
        #expect(report.verified == false)
        #expect(report.mismatchOffset == byte / 8 * 8)
        #expect(report.mismatchCount == 1)
        let error = try #require(throws: DaxError.self) { try report.checkVerified() }
        #expect(error.code == .verifyMismatch)
        #expect(error.problem.description.contains("offset \(byte / 8 * 8)"))
    }

    @Test func patternUsesAbsoluteOffsets() throws {
        let path = tmpfsPath("absolute")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let target = try MemoryTarget.openFile(path, createSize: 1 << 20)
            let whole = try target.map()
            _ = try whole.touch(TouchOptions(mode: .pattern, threads: 2, seed: 99))
        }
        // A later process (here: a new target) verifies a sub-range of the file.
        let target = try MemoryTarget.openFile(path)
        let part = try target.map(offset: 64 << 10, length: 128 << 10)
        let report = try part.touch(TouchOptions(mode: .verify, threads: 2, seed: 99))
        #expect(report.verified == true)
        #expect(report.offset == 64 << 10)
        part.bytes[100] = ~part.bytes[100]
        let bad = try part.touch(TouchOptions(mode: .verify, threads: 2, seed: 99))
        #expect(bad.mismatchOffset == (64 << 10) + 96)
    }

    @Test func freshPagesFaultOnceAndPopulatedPagesDoNot() throws {
        let pages = 256
        let target = try MemoryTarget.memfd(name: "faults", size: pages * 4096)
        let mapping = try target.map()
        let report = try mapping.touch(TouchOptions(mode: .write, threads: 2))
        let minimum = shmemMayUseHugePages() ? 1 : pages
        #expect(report.expectedFaults == pages)
        #expect(report.faults >= minimum)
        #expect(report.processFaults >= report.faults)
        #expect(report.kernelPageSize == 4096)
        #expect(report.rss == pages * 4096)
        // The baseline pass rewrites populated pages: no faults by the workers.
        // (Process-wide counts get only lower bounds here: other suites run in
        // parallel in this process and fault too.)
        #expect(report.baselineFaults == 0)
        #expect(report.baselineProcessFaults >= 0)

        // A second touch of the same mapping: populated, so no faults by the workers.
        let second = try mapping.touch(TouchOptions(mode: .write, threads: 2))
        #expect(second.faults == 0)
        #expect(second.baselineFaults == 0)
        #expect(second.expectedFaults == pages)
    }

    /// The fault window: another thread of the process faulting while the workers touch
    /// (here the calling thread itself, in the progress callback, which runs inside the
    /// window) shows in `processFaults` and never in `faults`, at one thread and at four;
    /// a touch of populated pages still counts 0, so extra faults of the mapping itself
    /// would show.
    @Test("faults count the workers' own: a thread faulting beside them shows only process-wide",
          arguments: [1, 4])
    func sideThreadFaultsStayOutOfTheTouchCount(threads: Int) throws {
        let pages = 16_384  // 64 MiB: the window lasts well past the first progress call
        let target = try MemoryTarget.memfd(name: "side", size: pages * 4096)
        let mapping = try target.map()
        // Fresh anonymous pages the callback faults in, one per call.
        let sidePages = 4096
        let side = try #require(mmap(nil, sidePages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        try #require(side != MAP_FAILED)
        defer { munmap(side, sidePages * 4096) }
        _ = madvise(side, sidePages * 4096, MADV_NOHUGEPAGE)
        var calls = 0
        var faulted = 0
        var touchCalls = 0
        let report = try mapping.touch(TouchOptions(mode: .write, threads: threads, progressInterval: 0)) { p in
            calls += 1
            guard p.phase == .touch else { return }
            touchCalls += 1
            // The first call of a phase comes before its window, the last after it.
            if touchCalls > 1, faulted < sidePages {
                side.storeBytes(of: 1, toByteOffset: faulted * 4096, as: UInt8.self)
                faulted += 1
            }
        }
        // The last in-window store counted above may have been the phase's closing call:
        // only the calls between the first and the last were inside the window.
        let inWindow = max(0, faulted - 1)
        #expect(inWindow >= 1, "no progress call inside the window (\(touchCalls) calls)")
        if !shmemMayUseHugePages() {
            #expect(report.faults == pages, "workers took \(report.faults) faults, expected \(pages)")
            #expect(report.isFaultMinimal)
            #expect(throws: Never.self) { try report.check(minimalFaults: true) }
        } else {
            #expect(report.faults >= 1 && report.faults <= pages)
        }
        #expect(report.processFaults >= report.faults + inWindow,
                "process-wide \(report.processFaults) < workers' \(report.faults) + \(inWindow) faulted beside them")
        #expect(report.baselineFaults == 0)
    }

    @Test func oneAndFourThreadsCoverTheRangeIdentically() throws {
        let size = 4 << 20
        let one = try MemoryTarget.memfd(name: "one", size: size)
        let four = try MemoryTarget.memfd(name: "four", size: size)
        let a = try one.map()
        let b = try four.map()
        let r1 = try a.touch(TouchOptions(mode: .pattern, threads: 1, seed: 5))
        let r4 = try b.touch(TouchOptions(mode: .pattern, threads: 4, seed: 5))
        #expect(r1.threads == 1)
        #expect(r4.threads == 4)
        #expect(memcmp(a.baseAddress, b.baseAddress, size) == 0)
        #expect(try b.touch(TouchOptions(mode: .verify, threads: 1, seed: 5)).verified == true)
        #expect(try a.touch(TouchOptions(mode: .verify, threads: 4, seed: 5)).verified == true)

        // write fills every byte with the seed's low byte, whatever the thread count.
        _ = try b.touch(TouchOptions(mode: .write, threads: 4, seed: 0x15A))
        #expect(b.bytes.allSatisfy { $0 == 0x5A })
    }

    @Test func threadsAreClampedToPages() throws {
        let target = try MemoryTarget.memfd(name: "clamp", size: 4 << 20, alignment: .page2M)
        let mapping = try target.map()
        let report = try mapping.touch(TouchOptions(mode: .write, threads: 8))
        #expect(report.threads == 2)
        #expect(report.align == 2 << 20)
        #expect(report.expectedFaults == 2)
        let error = try #require(throws: DaxError.self) {
            _ = try mapping.touch(TouchOptions(mode: .write, threads: 0))
        }
        #expect(error.code == .invalidArgument)
    }

    @Test func defaultThreadsIsAllCores() throws {
        let target = try MemoryTarget.memfd(name: "cores", size: 64 << 20)
        let mapping = try target.map()
        let report = try mapping.touch(TouchOptions(mode: .read))
        #expect(report.threads == min(ProcessInfo.processInfo.activeProcessorCount, (64 << 20) / 4096))
        #expect(TouchOptions.defaultThreadCount == ProcessInfo.processInfo.activeProcessorCount)
    }

    static let chunkCases: [(Int, Int)] = [(1, 1), (7, 3), (8, 4), (3, 8), (1000, 7), (513, 2)]

    @Test("chunks cover the range on page boundaries", arguments: chunkCases)
    func chunks(pages: Int, threads: Int) {
        let chunks = TouchPlan.chunks(length: pages * 4096, alignment: .page4K, threads: threads)
        #expect(chunks.count == min(pages, threads))
        #expect(chunks.first?.lowerBound == 0)
        #expect(chunks.last?.upperBound == pages * 4096)
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            #expect(previous.upperBound == next.lowerBound)
        }
        for chunk in chunks {
            #expect(chunk.lowerBound % 4096 == 0 && chunk.count % 4096 == 0 && !chunk.isEmpty)
        }
        let sizes = chunks.map(\.count)
        #expect(sizes.max()! - sizes.min()! <= 4096)
    }

    @Test func progressIsReportedPerPhase() throws {
        let target = try MemoryTarget.memfd(name: "progress", size: 8 << 20)
        let mapping = try target.map()
        var calls: [TouchProgress] = []
        let report = try mapping.touch(TouchOptions(mode: .pattern, threads: 2, progressInterval: 0.001)) {
            calls.append($0)
        }
        let touch = calls.filter { $0.phase == .touch }
        let baseline = calls.filter { $0.phase == .baseline }
        #expect(touch.count >= 2)
        #expect(baseline.count >= 2)
        #expect(calls.firstIndex { $0.phase == .baseline }! > calls.lastIndex { $0.phase == .touch }!)
        #expect(touch.first?.bytesDone == 0)
        #expect(touch.last?.bytesDone == report.size)
        #expect(baseline.last?.bytesDone == report.size)
        #expect(calls.allSatisfy { $0.totalBytes == 8 << 20 && $0.bytesDone <= $0.totalBytes })
        #expect(zip(touch, touch.dropFirst()).allSatisfy { $0.bytesDone <= $1.bytesDone })
    }

    @Test func measurementsAreConsistent() throws {
        let target = try MemoryTarget.memfd(name: "measure", size: 8 << 20)
        let mapping = try target.map()
        let r = try mapping.touch(TouchOptions(mode: .write, threads: 2, seed: 1))
        #expect(r.size == 8 << 20)
        #expect(r.deviceSize == 8 << 20)
        #expect(r.kind == "memfd")
        #expect(r.path == "memfd:measure")
        #expect(r.address == UInt64(mapping.address))
        #expect(r.seconds > 0 && r.baselineSeconds > 0)
        #expect(abs(r.gibPerSecond - Double(r.size) / Double(1 << 30) / r.seconds) < 1e-6 * r.gibPerSecond)
        #expect(abs(r.ratio - r.seconds / r.baselineSeconds) < 1e-9 * r.ratio)
        #expect(r.mmuPageSize == 4096)
    }

    @Test func reportJSONHasSnakeCaseKeys() throws {
        let target = try MemoryTarget.memfd(name: "json", size: 1 << 20)
        let mapping = try target.map()
        _ = try mapping.touch(TouchOptions(mode: .pattern, threads: 1))
        let report = try mapping.touch(TouchOptions(mode: .verify, threads: 1))
        let data = try JSONEncoder().encode(report)
        let text = String(decoding: data, as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in [
            "size", "align", "kernel_page_size", "mmu_page_size", "faults", "expected_faults", "offset", "threads",
        ] {
            // Compact JSONEncoder output: "key":123 followed by , or }.
            let integer = try Regex("\"\(key)\":-?[0-9]+[,}]")
            #expect(text.contains(integer), "\(key) is not an integer key in \(text)")
        }
        for key in ["seconds", "gib_per_second", "baseline_seconds", "baseline_gib_per_second", "ratio"] {
            #expect(object[key] is NSNumber, "missing number key \(key)")
        }
        #expect(object["mode"] as? String == "verify")
        #expect(object["path"] as? String == "memfd:json")
        #expect(object["verified"] as? Bool == true)
        #expect(object["mismatch_offset"] is NSNull)
        #expect(object["kernel_page_size"] as? Int == 4096)
        #expect(object["align"] as? Int == 4096)
        #expect(object["size"] as? Int == 1 << 20)
        #expect(object["expected_faults"] as? Int == 256)
        #expect(try JSONDecoder().decode(TouchReport.self, from: data) == report)

        let write = try mapping.touch(TouchOptions(mode: .write, threads: 1))
        let writeObject = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(write)) as? [String: Any])
        #expect(writeObject["mismatch_offset"] == nil)
        #expect(writeObject["verified"] == nil)
        #expect(writeObject["mode"] as? String == "write")
    }

    @Test func expectationsAreChecked() throws {
        var report = TouchReport(
            path: "/dev/dax0.0", kind: "devdax", mode: .write, deviceSize: 1 << 30, size: 1 << 30, offset: 0,
            align: 2 << 20, address: 0x7f00_0000_0000, kernelPageSize: 4096, mmuPageSize: 4096, rss: 1 << 30,
            faults: 262_144, majorFaults: 0, processFaults: 262_146, expectedFaults: 512, baselineFaults: 0,
            baselineProcessFaults: 0, threads: 2, seed: 0, seconds: 1, gibPerSecond: 1, baselineSeconds: 0.5,
            baselineGibPerSecond: 2, ratio: 2)
        let pageError = try #require(throws: DaxError.self) { try report.check(pageSize: .page2M) }
        #expect(pageError.code == .pageSizeMismatch)
        #expect(pageError.problem.description == "kernel page size is 4K, expected 2M")
        let faultError = try #require(throws: DaxError.self) { try report.check(minimalFaults: true) }
        #expect(faultError.code == .faultCountMismatch)
        #expect(faultError.problem.description.contains("262144"))
        #expect(faultError.problem.description.contains("512"))

        report.kernelPageSize = 2 << 20
        report.faults = 512
        try report.check(pageSize: .page2M, minimalFaults: true)
        #expect(report.isFaultMinimal)
    }
}

@Suite("Report rendering")
struct ReportRenderingTests {
    static func sample(mode: TouchMode, mismatch: Int?) -> TouchReport {
        TouchReport(
            path: "/tmp/a \"quoted\"\tpath", kind: "file", mode: mode, deviceSize: 1 << 20, size: 1 << 20,
            offset: 4096, align: 4096, address: 0x7f00_0000_1000, kernelPageSize: 4096, mmuPageSize: 4096,
            rss: 1 << 20, faults: 256, majorFaults: 0, processFaults: 258, expectedFaults: 256, baselineFaults: 0,
            baselineProcessFaults: 1, threads: 2, seed: UInt64.max, seconds: 0.25, gibPerSecond: 0.00390625,
            baselineSeconds: 1e-5, baselineGibPerSecond: 97.65625, ratio: 25000,
            mismatchOffset: mismatch, mismatchCount: mode == .verify ? (mismatch == nil ? 0 : 3) : nil,
            verified: mode == .verify ? mismatch == nil : nil)
    }

    @Test("json() matches the Codable form", arguments: [
        (TouchMode.verify, Int?.none), (.verify, 4104), (.write, nil), (.read, nil), (.pattern, nil),
    ] as [(TouchMode, Int?)])
    func jsonMatchesCodable(mode: TouchMode, mismatch: Int?) throws {
        let report = Self.sample(mode: mode, mismatch: mismatch)
        for pretty in [true, false] {
            let text = report.json(pretty: pretty)
            let ours = try #require(
                try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary, "invalid JSON: \(text)")
            let theirs = try #require(
                try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? NSDictionary)
            #expect(ours == theirs)
            #expect(try JSONDecoder().decode(TouchReport.self, from: Data(text.utf8)) == report)
            #expect(pretty == text.contains("\n"))
        }
        let text = report.json()
        #expect(text.hasPrefix("{\n  \"path\": \"/tmp/a \\\"quoted\\\"\\tpath\",\n  \"kind\": \"file\","))
        #expect(text.contains("\"seed\": 18446744073709551615"))
        #expect(text.contains(mode == .verify ? "\"mismatch_offset\": " : "\"ratio\": 25000.0\n}"))
        if mode == .verify {
            #expect(text.contains(mismatch.map { "\"mismatch_offset\": \($0)," } ?? "\"mismatch_offset\": null,"))
            #expect(text.hasSuffix("\"verified\": \(mismatch == nil)\n}"))
        }
    }

    @Test func nonFiniteNumbersBecomeNull() throws {
        var report = Self.sample(mode: .write, mismatch: nil)
        report.ratio = .infinity
        #expect(report.json(pretty: false).hasSuffix(",\"ratio\":null}"))
    }

    @Test func chainedOpenMapTouch() throws {
        let report = try MemoryTarget.memfd(name: "chain", size: 1 << 20).map().touch(TouchOptions(threads: 1))
        #expect(report.size == 1 << 20)
        #expect(report.kernelPageSize == 4096)
    }
}
