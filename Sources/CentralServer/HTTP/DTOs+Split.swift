import Foundation
import Protocol

/// The JSON shapes of the split job routes.
extension DTO {
    struct SplitJobBody: Encodable {
        let id: String
        let requester: String
        let device: String
        let title: String
        let pageCount: Int
        let created: String
        let deadline: String
        let parts: [SplitPartBody]

        init(_ job: SplitJob) {
            id = job.id
            requester = job.requester.value
            device = job.device.value
            title = job.title
            pageCount = job.pageCount
            created = TimeText.iso8601(job.created)
            deadline = TimeText.iso8601(job.deadline)
            parts = job.parts.map(SplitPartBody.init)
        }

        enum CodingKeys: String, CodingKey {
            case id, requester, device, title, created, deadline, parts
            case pageCount = "page_count"
        }
    }

    struct SplitPartBody: Encodable {
        let part: Int
        let pages: String
        let copies: Int
        let colour: Bool
        let paperSize: String
        let paperType: String
        let status: String
        let released: String?
        let ended: String?
        let dataDeleted: String?
        let pdfSize: Int
        let pdfSHA256: String
        let payers: [SplitPayerBody]

        init(_ part: SplitJobPart) {
            self.part = part.index + 1
            pages = part.pages.description
            copies = part.copies
            colour = part.method.colour
            paperSize = part.method.paperSize.description
            paperType = part.method.paperType
            status = part.status.rawValue
            released = part.released.map(TimeText.iso8601)
            ended = part.ended.map(TimeText.iso8601)
            dataDeleted = part.dataDeleted.map(TimeText.iso8601)
            pdfSize = part.pdfSize
            pdfSHA256 = part.pdfHash.description
            payers = part.payers.map(SplitPayerBody.init)
        }

        enum CodingKeys: String, CodingKey {
            case part, pages, copies, colour, status, released, ended, payers
            case paperSize = "paper_size"
            case paperType = "paper_type"
            case dataDeleted = "data_deleted"
            case pdfSize = "pdf_size"
            case pdfSHA256 = "pdf_sha256"
        }
    }

    struct SplitPayerBody: Encodable {
        let payer: String
        let percent: Int
        let state: String
        let stateAt: String
        let requests: Int
        let amount: Int64?
        let currency: String?

        init(_ share: SplitJobPayer) {
            payer = share.payer.value
            percent = share.percent
            state = share.state.rawValue
            stateAt = TimeText.iso8601(share.stateAt)
            requests = share.requests
            amount = share.amount
            currency = share.currency?.code
        }

        enum CodingKeys: String, CodingKey {
            case payer, percent, state, requests, amount, currency
            case stateAt = "state_at"
        }
    }
}
