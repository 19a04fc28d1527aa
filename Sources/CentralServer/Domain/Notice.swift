import Protocol

/// Something people should hear about: one step of a workflow (a seal application now, a split
/// charge later). The store puts one inbox row per recipient and, when a webhook is configured,
/// one outbox row that `WebhookDelivery` posts. Generic on purpose: `kind` and `details` carry
/// what the workflow wants to say.
public struct Notice: Hashable, Sendable {
    /// `noun.verb`: `seal.submitted`, `seal.approved`, `seal.used`, ...
    public let kind: String
    /// What it is about: `seal-application:<id>`.
    public let subject: String
    /// Who gets it in their inbox, each once, in order.
    public let recipients: [UserID]
    /// One line for people.
    public let text: String
    /// Values by name for programs (the webhook's receiver).
    public let details: [String: String]
    public let at: Timestamp

    public init(kind: String, subject: String, recipients: [UserID], text: String, details: [String: String] = [:], at: Timestamp) {
        var seen: Set<UserID> = []
        self.kind = kind
        self.subject = subject
        self.recipients = recipients.filter { seen.insert($0).inserted }
        self.text = text
        self.details = details
        self.at = at
    }
}

/// One notice in a person's inbox.
public struct InboxItem: Hashable, Sendable {
    public let id: Int64
    public let recipient: UserID
    public let kind: String
    public let subject: String
    public let text: String
    public let details: [String: String]
    public let at: Timestamp
    public let read: Timestamp?

    public init(id: Int64, recipient: UserID, kind: String, subject: String, text: String, details: [String: String], at: Timestamp, read: Timestamp?) {
        self.id = id
        self.recipient = recipient
        self.kind = kind
        self.subject = subject
        self.text = text
        self.details = details
        self.at = at
        self.read = read
    }
}
