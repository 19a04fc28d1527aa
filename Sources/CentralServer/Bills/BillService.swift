import Foundation
import Protocol

/// Issues bills (SPEC C2, docs/bills.md): the account's jobs in the period, priced by the price
/// table, with per device the newest signed checkpoint and per line the inclusion proof of the
/// job's event in that device's tree. A bill is stored once, with its JSON, and never changed.
public struct BillService: Sendable {
    public let store: any ServerStore
    public let clock: any ServerClock

    public init(store: any ServerStore, clock: any ServerClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    public struct Request: Sendable {
        public var account: String
        public var start: Timestamp
        public var end: Timestamp
        public var corrects: String?
        public var currency: String?

        public init(account: String, start: Timestamp, end: Timestamp, corrects: String? = nil, currency: String? = nil) {
            self.account = account
            self.start = start
            self.end = end
            self.corrects = corrects
            self.currency = currency
        }
    }

    /// Builds, stores and returns the bill and its JSON.
    public func issue(_ request: Request, by actor: AuditActor) async throws -> (bill: Bill, json: String) {
        let users = try await users(of: request.account)
        let selection: UsageSelection
        do {
            selection = try UsageSelection(users: Set(users), start: request.start, end: request.end)
        } catch {
            throw InputError(field: "period", "\(error)")
        }
        let prices = try await store.prices()
        let currency: CurrencyCode?
        do {
            currency = try request.currency.map { try CurrencyCode($0) } ?? prices.first?.currency
        } catch {
            throw InputError(field: "currency", "\(error)")
        }
        let table = try PriceTable(prices.filter { $0.currency == currency }.map { try PagePrice(paperSize: $0.paperSize, colour: $0.colour, pricePerPage: $0.pricePerPage) })
        let jobs = try await store.billJobs(users: users, start: request.start, end: request.end)
        var lines: [BillBuilder.Line] = []
        lines.reserveCapacity(jobs.count)
        var checkpoints: [DeviceID: SignedCheckpoint] = [:]
        for (device, deviceJobs) in Dictionary(grouping: jobs, by: \.entry.deviceID) {
            let (checkpoint, tree) = try await checkedTree(device: device, covering: deviceJobs.map(\.entry.sequence).max() ?? 0)
            checkpoints[device] = checkpoint
            for job in deviceJobs {
                let proof = try tree.inclusionProof(leafIndex: job.entry.sequence - 1, treeSize: checkpoint.checkpoint.treeSize)
                lines.append(BillBuilder.Line(entry: job.entry, event: job.event, proof: proof))
            }
        }
        let now = clock.now()
        let number = try await store.nextBillNumber()
        let header = BillBuilder.Header(
            id: String(format: "bill-%06d", number), corrects: request.corrects, account: request.account,
            selection: selection, issuedAt: now, currency: currency
        )
        let bill = try BillBuilder.make(header, lines: lines, checkpoints: checkpoints, prices: table)
        let json = String(decoding: bill.encoded(), as: UTF8.self)
        var details = ["lines": String(bill.lines.count), "amount": String(bill.amount), "usageHash": bill.usageHash,
                       "period": "\(TimeText.iso8601(request.start))/\(TimeText.iso8601(request.end))"]
        if let corrects = request.corrects { details["corrects"] = corrects }
        try await store.storeBill(bill, json: json, issuedBy: actor.actor,
                                  audit: actor.record("bill.issue", target: "bill:\(bill.id)", details: details, at: now))
        return (bill, json)
    }

    /// `user:<id>` is that user; `department:<name>` is every user of that department now.
    func users(of account: String) async throws -> [UserID] {
        if account.hasPrefix("user:") {
            let id: UserID
            do { id = try UserID(String(account.dropFirst(5))) } catch { throw InputError(field: "account", "\(error)") }
            guard try await store.user(id: id) != nil else { throw StoreError.notFound("user \(id)") }
            return [id]
        }
        if account.hasPrefix("department:") {
            let name = String(account.dropFirst(11))
            let members = try await store.users().filter { $0.department == name }.map(\.id)
            guard !members.isEmpty else { throw StoreError.notFound("department \(name) (no user is in it)") }
            return members
        }
        throw InputError(field: "account", "must be user:<id> or department:<name>; got \"\(account)\"")
    }

    /// The newest checkpoint of `device`, checked: it covers event `sequence`, the device's
    /// enrolled key signed it, and the events the server holds have its root.
    private func checkedTree(device: DeviceID, covering sequence: UInt64) async throws -> (SignedCheckpoint, MerkleTree) {
        guard let enrolled = try await store.device(id: device) else { throw StoreError.notFound("device \(device)") }
        guard let checkpoint = try await store.checkpoints(device: device).last, checkpoint.checkpoint.treeSize >= sequence else {
            throw StoreError.conflict("device \(device) has not yet sent a checkpoint covering its event \(sequence); issue the bill after its next checkpoint")
        }
        try checkpoint.verify(devicePublicKey: enrolled.publicKey, device: device)
        let tree = MerkleTree(leafHashes: try await store.eventLeafHashes(device: device, upTo: checkpoint.checkpoint.treeSize))
        guard tree.size == checkpoint.checkpoint.treeSize, tree.root == checkpoint.checkpoint.root else {
            throw StoreError.corrupt("the events stored for \(device) do not have the root of its checkpoint \(checkpoint.checkpoint.treeSize)")
        }
        return (checkpoint, tree)
    }
}
