import Foundation
import Testing
import TestSupport
@testable import CentralServer

/// Issue 14: the served OpenAPI document was not valid YAML (line 474: `required: [to]`
/// indented under `type: object`; and 30 descriptions with commas split into stray keys), so
/// every OpenAPI client, generator and fuzzer refused it, while the tests only compared its
/// text. Now a third-party validator (openapi-spec-validator, from PyPI via
/// scripts/api-tools.sh, which `make test` runs first) checks the document the server serves.
@Suite("OpenAPI: the served document validates")
struct OpenAPIValidationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `openapi-spec-validator` on `document`: its exit status and output.
    static func validate(_ document: String) throws -> (status: Int32, output: String) {
        let validator = repository.appendingPathComponent(".build/api-venv/bin/openapi-spec-validator").path
        guard FileManager.default.isExecutableFile(atPath: validator) else {
            throw ProcessFailure(description: "\(validator) is missing: run scripts/api-tools.sh (make test does)")
        }
        let directory = try TemporaryDirectory("openapi")
        let file = directory.appending("openapi.yaml")
        try document.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(validator, [file])
        return (result.status, result.output + result.error)
    }

    @Test func theServedDocumentIsValidOpenAPI3() async throws {
        let server = try TestServer()
        try await server.http { client async throws in
            let (status, output) = try Self.validate(try await client.call(.get, "/openapi.yaml").text)
            #expect(status == 0 && output.contains("OK"), "\(output.prefix(2000))")
        }
    }

    /// The check fails on the defect it was written for.
    @Test func theValidatorRefusesTheDefectThatWasServed() throws {
        let broken = OpenAPIDocument.yaml.replacingOccurrences(of: "              type: object\n              required: [to]",
                                                               with: "              type: object\n                required: [to]")
        #expect(broken != OpenAPIDocument.yaml)
        #expect(try Self.validate(broken).status != 0)
    }
}
