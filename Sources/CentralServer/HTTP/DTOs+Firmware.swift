import Foundation
import Protocol

/// The JSON shapes of the firmware routes: what a rollout page needs, per device.
extension DTO {
    struct FirmwareImageBody: Encodable {
        let id: UInt64
        let model: String
        let version: String
        let minimumVersion: String?
        let size: UInt64
        let sha256: String
        let uploaded: String
        let uploadedBy: String

        init(_ image: FirmwareImageRecord) {
            id = image.id
            model = image.model.description
            version = image.version.description
            minimumVersion = image.minimumVersion?.description
            size = image.size
            sha256 = image.sha256.description
            uploaded = TimeText.iso8601(image.uploaded)
            uploadedBy = image.uploadedBy
        }

        enum CodingKeys: String, CodingKey {
            case id, model, version, size, sha256, uploaded
            case minimumVersion = "minimum_version"
            case uploadedBy = "uploaded_by"
        }
    }

    struct FirmwareRolloutBody: Encodable {
        let id: UInt64
        let image: FirmwareImageBody
        let created: String
        let createdBy: String
        /// Every device confirmed, rolled back or failed.
        let finished: Bool
        /// Devices per state (`offline` counted apart).
        let summary: [String: Int]
        let devices: [FirmwareTargetBody]

        init(_ detail: FirmwareRolloutDetail) {
            let rollout = detail.rollout
            id = rollout.id
            image = FirmwareImageBody(rollout.image)
            created = TimeText.iso8601(rollout.created)
            createdBy = rollout.createdBy
            finished = rollout.isFinished
            devices = rollout.targets.map { FirmwareTargetBody($0, connected: detail.connected.contains($0.device), history: detail.history[$0.id]) }
            summary = devices.reduce(into: [:]) { counts, device in counts[device.state, default: 0] += 1 }
        }

        enum CodingKeys: String, CodingKey {
            case id, image, created, finished, summary, devices
            case createdBy = "created_by"
        }
    }

    struct FirmwareTargetBody: Encodable {
        let device: String
        /// The transfer's image id on the uplink.
        let transfer: UInt64
        /// `offline` while the step is not final and the device is not connected; else `step`.
        let state: String
        let step: String
        let online: Bool
        let bytesSent: UInt64
        let bytesReceived: UInt64
        let imageSize: UInt64
        /// The agent's detail: the reason when failed or rolled back.
        let message: String
        let updated: String
        let reports: [FirmwareReportBody]?

        init(_ target: FirmwareRolloutTarget, connected: Bool, history: [FirmwareStatusRecord]?) {
            device = target.device.value
            transfer = target.id
            step = target.state.rawValue
            state = !target.state.isFinal && !connected ? "offline" : target.state.rawValue
            online = connected
            bytesSent = target.bytesSent
            bytesReceived = target.bytesReceived
            imageSize = target.imageSize
            message = target.message
            updated = TimeText.iso8601(target.updated)
            reports = history?.map(FirmwareReportBody.init)
        }

        enum CodingKeys: String, CodingKey {
            case device, transfer, state, step, online, message, updated, reports
            case bytesSent = "bytes_sent"
            case bytesReceived = "bytes_received"
            case imageSize = "image_size"
        }
    }

    struct FirmwareReportBody: Encodable {
        let at: String
        let state: String
        let bytesReceived: UInt64
        let message: String

        init(_ record: FirmwareStatusRecord) {
            at = TimeText.iso8601(record.at)
            state = record.state.description
            bytesReceived = record.bytesReceived
            message = record.message
        }

        enum CodingKeys: String, CodingKey {
            case at, state, message
            case bytesReceived = "bytes_received"
        }
    }
}
