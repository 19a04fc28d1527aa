import Protocol

extension SealAgent {
    /// Someone identified at the seal's box for an approved application: the server is asked for
    /// a seal grant (resource type seal, naming the application), and the grant it signs opens
    /// the seal through `use(grantToken:application:)`, verified here and by the seal itself.
    /// There is no offline seal use: the server counts an application's uses.
    public func tap(_ credential: Credential, application: ApplicationID) async -> UseResult {
        guard case .locked = session.phase else {
            return UseResult(unlocked: false, uses: nil, message: "The seal is already in use; log out first.")
        }
        guard channel != nil else {
            return UseResult(unlocked: false, uses: nil, message: "The seal is not connected.")
        }
        await storeResentReports()
        let answer: GrantAnswer
        do {
            answer = try await authority.requestSealGrant(credential, seal: settings.sealID, application: application, at: clock.now())
        } catch {
            return UseResult(unlocked: false, uses: nil, message: "The seal needs the server, which cannot be reached (\(error.description)); it stays locked.")
        }
        switch answer {
        case let .refused(_, message):
            return UseResult(unlocked: false, uses: nil, message: message)
        case let .granted(grantToken, _):
            return await use(grantToken: grantToken, application: application)
        }
    }

    /// The seal resends an unacked stamp report every 500 ms (docs/seal-usb.md). A stamp made
    /// while no agent listened, or whose report the last run never stored, is known only from
    /// that resend; until it is stored `use` cannot count it among the unacknowledged uses, and a
    /// grant the server signed without it would open the seal for it again: past the approved
    /// count (the seal crash loop found this, a tap right after an agent restart). So a tap waits
    /// until the link has been up one resend period, then stores the reports that came with a
    /// status answer.
    func storeResentReports() async {
        let period = Duration.milliseconds(Self.reportResendMilliseconds + 100)
        if let connectedAt, ContinuousClock.now - connectedAt < period {
            try? await Task.sleep(for: period - (ContinuousClock.now - connectedAt))
        }
        guard let channel else { return }
        do { _ = try await channel.request(.statusRequest, timeoutMilliseconds: 1000) } catch { return }
        for received in await channel.takeReports() { await handle(received) }
    }

    /// How often the seal sends an unacked stamp report again (docs/seal-usb.md).
    static let reportResendMilliseconds: Int64 = 500
}
