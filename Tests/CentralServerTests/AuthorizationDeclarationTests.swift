import Foundation
import Testing
@testable import CentralServer

/// Issue 14: the document declares, on every operation, who may call it (`x-roles`) and how the
/// caller proves it (`security`); the two must agree, since clients and scanners read the one
/// and the authorization matrix (AuthorizationMatrixTests) the other.
@Suite("Authorization table: x-roles agree with security")
struct AuthorizationDeclarationTests {
    @Test func everyOperationDeclaresItsRolesConsistentlyWithItsSecurity() {
        let table = AuthorizationTable(OpenAPIDocument.yaml)
        #expect(table.operations.count == OpenAPITests.documentedOperations(OpenAPIDocument.yaml).count, "the reading found every operation")
        #expect(table.schemeNames == ["bearer", "session", "paymentSignature"])
        let problems = table.operations.flatMap(table.problems)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // The reading itself: one operation of each kind.
        let byName = Dictionary(uniqueKeysWithValues: table.operations.map { ($0.description, $0) })
        #expect(byName["GET /healthz"]?.optional == true && byName["GET /healthz"]?.isOpen == true)
        #expect(byName["GET /api/v1/users"]?.schemes == ["bearer"] && byName["GET /api/v1/users"]?.roles == ["administrator", "auditor"])
        #expect(byName["GET /web/me"]?.schemes == ["session"])
        #expect(byName["POST /api/v1/payments/webhook"]?.schemes == ["paymentSignature"])
    }

    /// The check sees each kind of disagreement.
    @Test func theCheckSeesAnOperationWhoseRolesAndSecurityDisagree() {
        func problems(_ yaml: String, _ name: String) -> [String] {
            let table = AuthorizationTable(yaml)
            return table.operations.filter { $0.description == name }.flatMap(table.problems)
        }
        let yaml = OpenAPIDocument.yaml
        #expect(problems(yaml, "GET /healthz").isEmpty && problems(yaml, "GET /api/v1/users").isEmpty)
        // Open to everyone but, without its `security: []`, needing the default bearer token.
        let healthz = yaml.replacingOccurrences(of: "      summary: Liveness and store health\n      security: []\n", with: "      summary: Liveness and store health\n")
        #expect(healthz != yaml)
        #expect(problems(healthz, "GET /healthz").contains { $0.contains("requires [\"bearer\"]") })
        // Roles but no credential asked for.
        let users = yaml.replacingOccurrences(of: "      x-roles: [administrator, auditor]\n      summary: List users", with: "      x-roles: [administrator, auditor]\n      security: []\n      summary: List users")
        #expect(users != yaml)
        #expect(problems(users, "GET /api/v1/users").contains { $0.contains("no security scheme is required") })
        // A name no scheme of the operation proves, a name nobody knows, no x-roles at all.
        let webhook = yaml.replacingOccurrences(of: "      x-roles: [payment-provider]\n", with: "      x-roles: [payment-provider, employee]\n")
        #expect(problems(webhook, "POST /api/v1/payments/webhook").contains { $0.contains("has employee, which none") })
        let typo = yaml.replacingOccurrences(of: "      x-roles: [administrator, auditor]\n      summary: List users", with: "      x-roles: [administrator, auditer]\n      summary: List users")
        #expect(problems(typo, "GET /api/v1/users").contains { $0.contains("unknown x-roles name auditer") })
        let none = yaml.replacingOccurrences(of: "      x-roles: [administrator, auditor]\n      summary: List users", with: "      summary: List users")
        #expect(problems(none, "GET /api/v1/users") == ["GET /api/v1/users: no x-roles"])
    }
}
