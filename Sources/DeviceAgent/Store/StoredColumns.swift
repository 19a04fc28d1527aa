import Foundation
import GRDB
import Protocol

/// Reading columns without trusting them: a value of the wrong type or NULL gives nil (and the
/// caller reports damage) where GRDB's typed subscripts would stop the process.
extension Row {
    func integer(_ index: Int) -> Int64? {
        if case let .int64(value) = (self[index] as DatabaseValue).storage { return value }
        return nil
    }

    func bytes(_ index: Int) -> [UInt8]? {
        if case let .blob(data) = (self[index] as DatabaseValue).storage { return [UInt8](data) }
        return nil
    }

    func text(_ index: Int) -> String? {
        if case let .string(value) = (self[index] as DatabaseValue).storage { return value }
        return nil
    }

    func isNull(_ index: Int) -> Bool { (self[index] as DatabaseValue).isNull }
}

/// The SQL value of raw bytes (a BLOB).
func blobValue(_ bytes: [UInt8]) -> DatabaseValue { Data(bytes).databaseValue }

/// An unsigned 64-bit value as the SQLite integer with the same bits.
func storedBits(_ value: UInt64) -> Int64 { Int64(bitPattern: value) }

func unsigned(_ stored: Int64) -> UInt64 { UInt64(bitPattern: stored) }

/// A column that must be there: its absence is damage in `table` at row `key`.
func required<Value>(_ value: Value?, table: String, key: @autoclosure () -> String, column: String) throws(AgentStoreError) -> Value {
    guard let value else {
        throw .damaged(.invalidRow(table: table, key: key(), problem: "column \(column) is missing or of the wrong type"))
    }
    return value
}
