/// How the stamped documents are photographed (SPEC E4).
public enum SealPhotoMode: String, Sendable, Equatable, CaseIterable {
    /// A photo of the document at each stamp.
    case automatic
    /// The person lays the documents out after the last stamp: one photo per use then.
    case manual
}
