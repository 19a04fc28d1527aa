import Foundation
import Protocol

/// The JSON shapes of the seal application, seal record and inbox routes.
extension DTO {
    struct SealApplicationBody: Encodable {
        let id: String
        let applicant: String
        let seal: String
        let reason: String
        let uses: UInt32
        let photos: UInt32
        let approvers: [String]
        let cc: [String]
        let status: String
        let level: Int?
        let waitingOn: String?
        let submitted: String
        let decided: String?
        let revokedAt: String?
        let usesMade: UInt32
        let usesRemaining: UInt32
        let timeline: [SealStepBody]?
        let records: [SealUseBody]?

        init(_ application: SealApplication, timeline: [SealApplicationStep]? = nil, records: [SealUseRecord]? = nil) {
            id = application.id.value
            applicant = application.applicant.value
            seal = application.seal.value
            reason = application.reason
            uses = application.uses
            photos = application.photos
            approvers = application.approvers.map(\.value)
            cc = application.cc.map(\.value)
            status = application.status.name
            if case let .pending(current) = application.status { level = current + 1 } else { level = nil }
            waitingOn = application.waitingOn?.value
            submitted = TimeText.iso8601(application.submitted)
            decided = application.decided.map(TimeText.iso8601)
            revokedAt = application.revokedAt.map(TimeText.iso8601)
            usesMade = application.usesMade
            usesRemaining = application.usesRemaining
            self.timeline = timeline?.map(SealStepBody.init)
            self.records = records?.map(SealUseBody.init)
        }

        enum CodingKeys: String, CodingKey {
            case id, applicant, seal, reason, uses, photos, approvers, cc, status, level, submitted, decided, timeline, records
            case waitingOn = "waiting_on"
            case revokedAt = "revoked_at"
            case usesMade = "uses_made"
            case usesRemaining = "uses_remaining"
        }
    }

    struct SealStepBody: Encodable {
        let at: String
        let actor: String
        let action: String
        let level: Int?
        let to: String?
        let uses: UInt32?
        let flagged: String?
        let note: String?

        init(_ step: SealApplicationStep) {
            at = TimeText.iso8601(step.at)
            actor = step.actor
            action = step.action.name
            note = step.note
            var level: Int?
            var to: String?
            var uses: UInt32?
            var flagged: String?
            switch step.action {
            case .submitted, .completed: break
            case let .approved(at), let .rejected(at): level = at + 1
            case let .forwarded(at, target):
                level = at + 1
                to = target.value
            case let .revoked(count): uses = count
            case let .used(number, flag):
                uses = number
                flagged = flag
            }
            self.level = level
            self.to = to
            self.uses = uses
            self.flagged = flagged
        }
    }

    struct SealUseBody: Encodable {
        let at: String
        let seal: String?
        let application: String
        let user: String
        let device: String
        let place: String
        let latitude: Double?
        let longitude: Double?
        let photos: [String]
        let useNumber: UInt32?
        let usesRemaining: UInt32?
        let flagged: String?

        init(_ record: SealUseRecord) {
            at = TimeText.iso8601(record.at)
            seal = record.seal?.value
            application = record.applicationID.value
            user = record.userID.value
            device = record.deviceID.value
            place = record.location.placeName
            latitude = record.location.coordinate.map { Double($0.latitudeMicrodegrees) / 1_000_000 }
            longitude = record.location.coordinate.map { Double($0.longitudeMicrodegrees) / 1_000_000 }
            photos = record.photos.map(\.hex)
            useNumber = record.useNumber
            usesRemaining = record.usesRemaining
            flagged = record.flagged
        }

        enum CodingKeys: String, CodingKey {
            case at, seal, application, user, device, place, latitude, longitude, photos, flagged
            case useNumber = "use_number"
            case usesRemaining = "uses_remaining"
        }
    }

    struct InboxBody: Encodable {
        let id: Int64
        let kind: String
        let subject: String
        let text: String
        let details: [String: String]
        let at: String
        let read: String?

        init(_ item: InboxItem) {
            id = item.id
            kind = item.kind
            subject = item.subject
            text = item.text
            details = item.details
            at = TimeText.iso8601(item.at)
            read = item.read.map(TimeText.iso8601)
        }
    }
}
