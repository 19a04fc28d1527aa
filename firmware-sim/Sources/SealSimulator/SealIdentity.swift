import Protocol

/// What the seal is and whom it trusts, fixed when it is provisioned: its serial (the
/// resource id grants name), the server keys whose grants it accepts, and the device (the
/// agent's box) the grants must be issued for.
///
/// The seal verifies each grant itself rather than trusting the agent's word: a stolen or
/// compromised box can then open the seal only with a grant the server really signed for this
/// seal and that box, once (grant ids are remembered), inside the grant's validity period.
public struct SealIdentity: Sendable {
    public let serial: ResourceID
    public let model: SealModel
    public let firmware: FirmwareVersion
    public let verifier: GrantVerifier

    public init(serial: ResourceID, trustedKeys: TrustedKeys, deviceID: DeviceID,
                model: SealModel = .simulated, firmware: FirmwareVersion = FirmwareVersion(major: 1, minor: 0, patch: 0)) {
        self.serial = serial
        self.model = model
        self.firmware = firmware
        verifier = GrantVerifier(trustedKeys: trustedKeys, deviceID: deviceID)
    }
}
