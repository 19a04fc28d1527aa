@testable import Protocol

/// Values shared by the event, chain, Merkle and checkpoint tests. `example...` are the worked
/// example of docs/events.md; changing them changes the vectors in Vectors/event-example.json.
enum EventFixtures {
    static let device = try! DeviceID("copier-1")
    static let otherDevice = try! DeviceID("copier-2")
    static let user = try! UserID("alice")
    static let copier = try! ResourceID("copier-1")
    static let grant = try! GrantID(bytes: Array(0x00...0x0f))
    static let application = try! ApplicationID("APP-2024-0001")
    static let blob = Hash32.sha256(Array("page one".utf8))
    static let exampleTime = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
    static let exampleKeySeed: [UInt8] = Array(0x00...0x1f)

    static let sessionOpened = EventBody.session(SessionEvent(
        sessionID: 1, transition: .opened, userID: user, resourceID: copier, grantID: grant
    ))

    static let copyJob = EventBody.copyJob(try! CopyJobEvent(
        sessionID: 1, copierJobSequence: 42, userID: user, grantID: grant,
        pages: 10, copies: 2, colourPages: 4, monoPages: 6, duplex: true, paperSize: .a4,
        started: exampleTime.adding(seconds: 5), ended: exampleTime.adding(seconds: 55), end: .completed
    ))

    static let content = EventBody.content(try! ContentEvent(
        sessionID: 1, copierJobSequence: 42, pageNumber: 1, blobHash: blob, byteCount: 183_422, mediaType: try! MediaType("image/png")
    ))

    static let photo = EventBody.photo(PhotoEvent(
        sessionID: 1, blobHash: blob, byteCount: 52_100, mediaType: try! MediaType("image/jpeg"), reason: .unlock
    ))

    static let sealUse = EventBody.sealUse(try! SealUseEvent(
        sessionID: 7, applicationID: application, grantID: grant, userID: user,
        useNumber: 1, usesRemaining: 2,
        location: try! SealLocation(
            placeName: "本社 3F 法務部",
            coordinate: try! GeoCoordinate(latitudeMicrodegrees: 35_681_236, longitudeMicrodegrees: 139_767_125)
        ),
        photoHash: blob
    ))

    static let sealUseWithoutExtras = EventBody.sealUse(try! SealUseEvent(
        sessionID: 7, applicationID: application, grantID: grant, userID: user,
        useNumber: 3, usesRemaining: 0, location: try! SealLocation(placeName: "Reception"), photoHash: nil
    ))

    static let sessionClosed = EventBody.session(SessionEvent(
        sessionID: 1, transition: .closed(.idleTimeout), userID: user, resourceID: copier, grantID: grant
    ))

    static let fault = EventBody.fault(try! FaultEvent(component: "modbus", code: 110, message: "Connection timed out"))

    /// One body of every kind, and both forms of the kinds with options.
    static let everyBody: [EventBody] = [
        sessionOpened, copyJob, content, photo, sealUse, sealUseWithoutExtras, sessionClosed, fault,
    ]

    static var exampleFirst: Event {
        try! Event(deviceID: device, sequence: 1, previousHash: .zero, time: exampleTime, body: sessionOpened)
    }

    static var exampleSecond: Event {
        try! Event(following: exampleFirst, time: exampleTime.adding(seconds: 60), body: copyJob)
    }

    /// A well-formed chain of `count` events for `device`, cycling through every kind of body.
    static func chain(_ count: Int, device: DeviceID = device) -> [Event] {
        var events: [Event] = []
        for index in 0..<count {
            let time = exampleTime.adding(seconds: Int64(index))
            let body = everyBody[index % everyBody.count]
            if let previous = events.last {
                events.append(try! Event(following: previous, time: time, body: body))
            } else {
                events.append(try! Event(deviceID: device, sequence: 1, previousHash: .zero, time: time, body: body))
            }
        }
        return events
    }

    /// `event` with another body but the same place in the chain (a content change).
    static func altered(_ event: Event) -> Event {
        try! Event(deviceID: event.deviceID, sequence: event.sequence, previousHash: event.previousHash, time: event.time.adding(milliseconds: 1), body: event.body)
    }
}
