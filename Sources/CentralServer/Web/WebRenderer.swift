import Foundation
import Mustache

/// The page templates (`Web/Templates/*.mustache`, in the package's resources), parsed once.
/// A template that does not parse stops the server at start with the file named, never a blank
/// page later; `WebTemplateTests` renders every one with sample data.
public struct WebRenderer: Sendable {
    public let library: MustacheLibrary
    /// Every template's name (file name without `.mustache`).
    public let names: [String]

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The templates shipped in the package.
    public static func bundled() throws -> WebRenderer {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Templates") else {
            throw LoadError(description: "the web templates are missing from the server's resources")
        }
        return try WebRenderer(directory: folder.path)
    }

    public init(directory: String) throws {
        var library = MustacheLibrary()
        var names: [String] = []
        let files: [String]
        do { files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw LoadError(description: "cannot list the web templates in \(directory): \(error)")
        }
        for file in files where file.hasSuffix(".mustache") {
            let name = String(file.dropLast(".mustache".count))
            guard let text = FileManager.default.contents(atPath: directory + "/" + file).flatMap({ String(data: $0, encoding: .utf8) }) else {
                throw LoadError(description: "cannot read the web template \(file)")
            }
            do { try library.register(text, named: name) } catch {
                throw LoadError(description: "the web template \(file) does not parse: \(error)")
            }
            names.append(name)
        }
        guard !names.isEmpty else { throw LoadError(description: "no web templates in \(directory)") }
        self.library = library
        self.names = names
    }

    /// Renders template `name` with `data`; a missing template is an error naming it.
    public func render(_ name: String, _ data: [String: Any]) throws -> String {
        guard let text = library.render(Self.withoutNils(data) ?? [:], withTemplate: name) else {
            throw LoadError(description: "no web template named \(name)")
        }
        return text
    }

    /// `data` with every optional unwrapped and every nil left out, at any depth. An optional
    /// boxed in `Any` (`bill.corrects as Any`) reaches swift-mustache as `Optional<T>`, which it
    /// renders as "nil" and treats as a true section; a key that is absent is empty and false.
    static func withoutNils(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            return withoutNils(wrapped)
        }
        // Every text a page shows passes here: hidden characters in names stored before they
        // were refused (issue 21) are written out, not left to reorder the page around them.
        if let text = value as? String { return HiddenCharacters.shownVisibly(text) }
        if let dictionary = value as? [String: Any] { return dictionary.compactMapValues(withoutNils) }
        if let array = value as? [Any] { return array.compactMap(withoutNils) }
        return value
    }

    /// The stylesheet shipped with the templates.
    public static func stylesheet() -> String {
        guard let url = Bundle.module.resourceURL?.appendingPathComponent("Static/site.css"),
              let data = FileManager.default.contents(atPath: url.path) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
