import CLibXML2
import CZip
import Glibc
import SOAllocRules

/// A zip archive opened with libzip, read only.
final class ZipArchive {
    private let archive: OpaquePointer

    /// Opens the archive held by `source`; nil when it is not one libzip can read.
    init?(_ source: ByteSource) {
        var opened: OpaquePointer?
        switch source.origin {
        case .descriptor(let descriptor):
            let copy = dup(descriptor)
            guard copy >= 0 else { return nil }
            var error: Int32 = 0
            opened = zip_fdopen(copy, ZIP_RDONLY, &error)
            if opened == nil { close(copy) }
        case .bytes(let bytes):
            // libzip frees its own copy of the bytes.
            let copy = malloc(max(bytes.count, 1))!
            bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            if let buffer = zip_source_buffer_create(copy, zip_uint64_t(bytes.count), 1, nil) {
                opened = zip_open_from_source(buffer, ZIP_RDONLY, nil)
                if opened == nil { zip_source_free(buffer) }
            } else {
                free(copy)
            }
        }
        guard let opened else { return nil }
        archive = opened
    }

    deinit { zip_discard(archive) }

    /// Whether the archive holds an entry of this name.
    func has(_ name: String) -> Bool { zip_name_locate(archive, name, 0) >= 0 }

    /// The entry of this name as a stream of XML, or nil when there is none.
    /// The stream keeps the archive open until it is itself released.
    func xml(_ name: String) -> XMLStream? {
        guard let file = zip_fopen(archive, name, 0) else { return nil }
        return XMLStream(file, of: self)
    }
}

/// An XML document read as a stream of nodes with libxml2's `xmlTextReader`,
/// from an entry of a zip archive: only the node being read is in memory.
/// Entities are not expanded, nothing is fetched from the network, and
/// libxml2 prints nothing.
final class XMLStream {
    let reader: xmlTextReaderPtr
    /// The archive the entry is read from: libzip's entry must not outlive it
    /// (Swift may release a reference after its last use, not at the end of its scope).
    private let archive: ZipArchive

    fileprivate init?(_ file: OpaquePointer, of archive: ZipArchive) {
        self.archive = archive
        let read: xmlInputReadCallback = { context, buffer, length in
            Int32(truncatingIfNeeded: zip_fread(OpaquePointer(context), buffer, zip_uint64_t(max(length, 0))))
        }
        let close: xmlInputCloseCallback = { context in zip_fclose(OpaquePointer(context)) }
        xmlSetStructuredErrorFunc(nil) { _, _ in }
        guard
            let reader = xmlReaderForIO(
                read, close, UnsafeMutableRawPointer(file), nil, nil, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_COMPACT.rawValue))
        else { return nil }
        xmlTextReaderSetStructuredErrorHandler(reader, { _, _ in }, nil)
        self.reader = reader
    }

    deinit { xmlFreeTextReader(reader) }

    /// The kinds of node the readers here look at.
    enum Node {
        case start(empty: Bool)
        case end
        case text
        case other
    }

    /// The next node; nil at the end. Throws when the XML is not well formed.
    func next() throws -> Node? {
        switch xmlTextReaderRead(reader) {
        case 1: break
        case 0: return nil
        default: throw XMLStream.Malformed()
        }
        switch xmlTextReaderNodeType(reader) {
        case Int32(XML_READER_TYPE_ELEMENT.rawValue): return .start(empty: xmlTextReaderIsEmptyElement(reader) == 1)
        case Int32(XML_READER_TYPE_END_ELEMENT.rawValue): return .end
        case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
            Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue):
            return .text
        default: return .other
        }
    }

    struct Malformed: Error {}

    /// Whether the node's local name is `name`.
    func named(_ name: StaticString) -> Bool {
        guard let local = xmlTextReaderConstLocalName(reader) else { return false }
        return strcmp(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self), UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    /// The depth of the node (the root element is 0).
    var depth: Int { Int(xmlTextReaderDepth(reader)) }

    /// The text of a text node.
    var value: UnsafeBufferPointer<UInt8> {
        guard let value = xmlTextReaderConstValue(reader) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: value, count: strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self)))
    }

    /// Calls `body` with the local name and value of each attribute of the element.
    func attributes(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
        guard xmlTextReaderMoveToFirstAttribute(reader) == 1 else { return }
        repeat {
            if let name = xmlTextReaderConstLocalName(reader), let value = xmlTextReaderConstValue(reader) {
                body(
                    UnsafeBufferPointer(start: name, count: strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))),
                    UnsafeBufferPointer(start: value, count: strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self))))
            }
        } while xmlTextReaderMoveToNextAttribute(reader) == 1
        xmlTextReaderMoveToElement(reader)
    }

    /// The value of the attribute of this local name, as text.
    func attribute(_ name: String) -> String? {
        var found: String?
        attributes { local, value in
            if found == nil && local.elementsEqual(name.utf8) { found = String(decoding: value, as: UTF8.self) }
        }
        return found
    }
}

/// The parts of an Office Open XML workbook that reading its first worksheet
/// needs: where the sheet is, its shared strings, which cell styles are
/// dates, and its date system.
struct WorkbookParts {
    var sheet: String
    var sharedStrings: String?
    var styles: String?
    /// The 1904 date system (a workbook from an old Mac) rather than 1900.
    var date1904 = false

    /// The workbook's parts, or a description of what else the archive is.
    static func find(in archive: ZipArchive) throws -> WorkbookParts {
        var workbook = "xl/workbook.xml"
        if let rels = archive.xml("_rels/.rels") {
            for (type, target) in try relationships(rels) where type.hasSuffix("/officeDocument") {
                workbook = target.hasPrefix("/") ? String(target.dropFirst()) : target
            }
        }
        guard let book = archive.xml(workbook) else { throw CSVSyntaxError.whole(whatElse(archive)) }
        var firstSheetID: String?
        var date1904 = false
        while let node = try book.next() {
            guard case .start = node else { continue }
            if book.named("workbookPr") {
                let value = book.attribute("date1904")
                date1904 = value == "1" || value == "true"
            } else if book.named("sheet") && firstSheetID == nil {
                firstSheetID = book.attribute("id")
            }
        }
        let folder = workbook.split(separator: "/").dropLast().joined(separator: "/")
        let name = workbook.split(separator: "/").last.map(String.init) ?? workbook
        var parts = WorkbookParts(sheet: "")
        parts.date1904 = date1904
        if let rels = archive.xml((folder.isEmpty ? "" : folder + "/") + "_rels/\(name).rels") {
            var sheets: [String: (type: String, target: String)] = [:]
            for (id, type, target) in try relationshipsByID(rels) {
                let path = target.hasPrefix("/") ? String(target.dropFirst()) : (folder.isEmpty ? "" : folder + "/") + target
                sheets[id] = (type, path)
                if type.hasSuffix("/sharedStrings") { parts.sharedStrings = path }
                if type.hasSuffix("/styles") { parts.styles = path }
            }
            if let id = firstSheetID, let sheet = sheets[id] {
                guard sheet.type.hasSuffix("/worksheet") else {
                    throw CSVSyntaxError.whole("an Excel workbook whose first sheet is not a worksheet (a chart?): put the records on its first sheet")
                }
                parts.sheet = sheet.target
            }
        }
        if parts.sheet.isEmpty {
            guard archive.has("xl/worksheets/sheet1.xml") else {
                throw CSVSyntaxError.whole("an Excel workbook without a worksheet")
            }
            parts.sheet = "xl/worksheets/sheet1.xml"
        }
        return parts
    }

    /// What an archive that is not an .xlsx workbook is.
    private static func whatElse(_ archive: ZipArchive) -> String {
        if archive.has("xl/workbook.bin") { return "an Excel binary workbook (.xlsb): \(InputSignature.saveAs)" }
        if archive.has("word/document.xml") { return "a Word document, not CSV text" }
        if archive.has("ppt/presentation.xml") { return "a PowerPoint presentation, not CSV text" }
        if archive.has("content.xml") && archive.has("mimetype") {
            return "an OpenDocument file (perhaps a LibreOffice .ods spreadsheet): \(InputSignature.saveAs)"
        }
        return "a zip archive, not CSV text or an Excel workbook: unzip it and give soalloc the file inside"
    }

    private static func relationships(_ rels: XMLStream) throws -> [(String, String)] {
        try relationshipsByID(rels).map { ($0.type, $0.target) }
    }

    private static func relationshipsByID(_ rels: XMLStream) throws -> [(id: String, type: String, target: String)] {
        var found: [(id: String, type: String, target: String)] = []
        while let node = try rels.next() {
            guard case .start = node, rels.named("Relationship") else { continue }
            found.append((rels.attribute("Id") ?? "", rels.attribute("Type") ?? "", rels.attribute("Target") ?? ""))
        }
        return found
    }
}

/// The workbook's shared strings, held in memory: each distinct string once.
struct SharedStrings {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    /// The most bytes of shared strings read (a workbook of a million
    /// distinct identifiers holds some tens of MiB).
    static let limit = 1 << 30

    init() {}

    init(_ stream: XMLStream) throws {
        var inItem = false
        var phonetic = 0
        var inText = false
        while let node = try stream.next() {
            switch node {
            case .start(let empty):
                if stream.named("si") {
                    inItem = !empty
                    if empty { ends.append(bytes.count) }
                } else if stream.named("rPh") {
                    if !empty { phonetic += 1 }
                } else if stream.named("t") {
                    inText = !empty && inItem && phonetic == 0
                }
            case .end:
                if stream.named("si") {
                    inItem = false
                    let start = ends.last ?? 0
                    if let plain = ExcelValue.unescaped(bytes[start...]) { bytes.replaceSubrange(start..., with: plain) }
                    ends.append(bytes.count)
                } else if stream.named("rPh") {
                    phonetic -= 1
                } else if stream.named("t") {
                    inText = false
                }
            case .text:
                if inText {
                    bytes.append(contentsOf: stream.value)
                    guard bytes.count <= Self.limit else {
                        throw CSVSyntaxError.whole("the workbook's shared strings are longer than 1 GiB, the most soalloc reads")
                    }
                }
            case .other: break
            }
        }
    }

    var count: Int { ends.count }

    /// Calls `body` with string `index`.
    func withString<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let start = index == 0 ? 0 : ends[index - 1]
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<ends[index]])) }
    }
}

/// Which of the workbook's cell styles show a number as a date.
struct DateStyles {
    private var isDate: [Bool] = []

    init() {}

    init(_ stream: XMLStream) throws {
        var custom: [Int: Bool] = [:]
        var inCellFormats = false
        var formatDepth = 0
        while let node = try stream.next() {
            switch node {
            case .start(let empty):
                if stream.named("numFmt"), let id = stream.attribute("numFmtId").flatMap({ Int($0) }) {
                    custom[id] = Self.isDate(code: stream.attribute("formatCode") ?? "")
                } else if stream.named("cellXfs") {
                    inCellFormats = !empty
                    formatDepth = stream.depth + 1
                } else if inCellFormats && stream.named("xf") && stream.depth == formatDepth {
                    let id = stream.attribute("numFmtId").flatMap { Int($0) } ?? 0
                    isDate.append(custom[id] ?? Self.builtInDates.contains(id))
                }
            case .end:
                if stream.named("cellXfs") { inCellFormats = false }
            case .text, .other: break
            }
        }
    }

    /// Whether cell style `index` shows a date.
    func isDate(style index: Int) -> Bool { index >= 0 && index < isDate.count && isDate[index] }

    /// Excel's built-in number formats that show a date (the rest show numbers or times).
    static let builtInDates: Set<Int> = Set([14, 15, 16, 17, 22]).union(27...36).union(50...58)

    /// Whether a custom number format shows a date: its first section names
    /// a day or a year, outside quoted text, escaped characters and brackets.
    static func isDate(code: String) -> Bool {
        var quoted = false
        var bracketed = false
        var escaped = false
        for character in code {
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\"": quoted.toggle()
            case _ where quoted: continue
            case "\\", "_", "*": escaped = true
            case "[": bracketed = true
            case "]": bracketed = false
            case _ where bracketed: continue
            case ";": return false
            case "d", "D", "y", "Y": return true
            default: continue
            }
        }
        return false
    }
}

/// A cell's value as Excel shows it, in the text an individualised file holds.
enum ExcelValue {
    /// A serial number of the 1900 date system (or 1904) as `dd/mm/yyyy`:
    /// its whole days, the time of day dropped. Serial 60 is 29 February
    /// 1900, a day that never was but that Excel counts; nil before serial 1.
    static func date(serial: Double, date1904: Bool) -> String? {
        guard serial.isFinite, serial >= 1, serial < 2_958_466 else { return nil }
        let days = Int(serial.rounded(.down))
        if date1904 { return Dates.format(Dates.date(dayNumber: Dates.dayNumber(1904_01_01) + days)) }
        if days == 60 { return "29/02/1900" }
        // Serials 1–59 count from 31 December 1899; after Excel's 29 February, one day earlier.
        let base = days < 60 ? Dates.dayNumber(1899_12_31) : Dates.dayNumber(1899_12_30)
        return Dates.format(Dates.date(dayNumber: base + days))
    }

    /// A number as Excel's General format writes it to CSV: a whole number
    /// without a decimal point (`4`, never `4.0`), anything else with at most
    /// 15 significant digits, the precision Excel keeps. Nil when `text` is not a number.
    static func general(_ text: UnsafeBufferPointer<UInt8>) -> String? {
        guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else { return nil }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        var buffer = [CChar](repeating: 0, count: 40)
        _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.15G", $0) }
        // In any locale, the decimal separator is a point.
        var written = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .replacingOccurrences(of: ",", with: ".")
        if !written.contains("E") && written.contains(".") {
            while written.hasSuffix("0") { written.removeLast() }
            if written.hasSuffix(".") { written.removeLast() }
        }
        return written
    }

    /// Text with Excel's escapes of characters XML cannot hold (`_x000D_` for
    /// a CR, `_x005F_` for an underscore) replaced by the characters; nil when
    /// it has none.
    static func unescaped(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count >= 7, text.contains(0x5F) else { return nil }
        var result: [UInt8] = []
        var index = text.startIndex
        var changed = false
        func hex(_ byte: UInt8) -> UInt32? {
            switch byte {
            case 0x30...0x39: UInt32(byte - 0x30)
            case 0x41...0x46: UInt32(byte - 0x37)
            case 0x61...0x66: UInt32(byte - 0x57)
            default: nil
            }
        }
        while index < text.endIndex {
            if text[index] == 0x5F, index + 6 < text.endIndex, text[index + 1] == 0x78, text[index + 6] == 0x5F,
                let a = hex(text[index + 2]), let b = hex(text[index + 3]), let c = hex(text[index + 4]),
                let d = hex(text[index + 5]), let scalar = Unicode.Scalar(a << 12 | b << 8 | c << 4 | d)
            {
                result.append(contentsOf: String(Character(scalar)).utf8)
                index += 7
                changed = true
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return changed ? result : nil
    }

    /// An ISO 8601 date cell (`t="d"`) as `dd/mm/yyyy`; nil when it is not one.
    static func isoDate(_ text: UnsafeBufferPointer<UInt8>) -> String? {
        let digits = Array(text.prefix(10))
        guard digits.count == 10, digits[4] == 0x2D, digits[7] == 0x2D,
            let year = Int(String(decoding: digits[0..<4], as: UTF8.self)),
            let month = Int(String(decoding: digits[5..<7], as: UTF8.self)),
            let day = Int(String(decoding: digits[8..<10], as: UTF8.self))
        else { return nil }
        return Dates.format(Int64(year * 10_000 + month * 100 + day))
    }
}

extension CSVReader {
    /// Reads the first worksheet of the workbook in `source` into
    /// `assembly`, as `parse` reads CSV text: each row a record whose `line`
    /// is its row number, cells placed by their column letters, a row
    /// shorter than the first padded with empty fields as Excel's CSV is.
    /// The sheet's XML is streamed: memory holds one batch of records, the
    /// shared strings and the styles, whatever the number of rows.
    func readWorkbook(
        _ source: ByteSource, into assembly: inout RecordAssembly, deliver: (inout RecordAssembly) throws -> Void
    ) throws {
        guard let archive = ZipArchive(source) else {
            throw CSVSyntaxError.whole("a zip archive that cannot be read (damaged, or cut short)")
        }
        do {
            let parts = try WorkbookParts.find(in: archive)
            let strings = try parts.sharedStrings.flatMap(archive.xml).map(SharedStrings.init) ?? SharedStrings()
            let styles = try parts.styles.flatMap(archive.xml).map(DateStyles.init) ?? DateStyles()
            guard let sheet = archive.xml(parts.sheet) else {
                throw CSVSyntaxError.whole("an Excel workbook whose first worksheet (\(parts.sheet)) is missing")
            }
            var reading = SheetReading(sheet: sheet, strings: strings, styles: styles, date1904: parts.date1904, limits: limits)
            try reading.read(into: &assembly, deliver: deliver)
        } catch is XMLStream.Malformed {
            throw CSVSyntaxError.whole("an Excel workbook that cannot be read: its XML is damaged")
        }
    }
}

/// The rows of one worksheet, read into records.
private struct SheetReading {
    let sheet: XMLStream
    let strings: SharedStrings
    let styles: DateStyles
    let date1904: Bool
    let limits: CSVReader.Limits

    /// The row being read, and the next field's column (0-based).
    var row = 0
    var column = 0
    /// The fields of the first record: shorter rows are padded to it.
    var width: Int?
    /// The cell being read: its column, type and style, and its text.
    var cellColumn = 0
    var cellType = CellType.number
    var cellStyle = 0
    var text: [UInt8] = []
    var inValue = false
    var inInline = 0
    var phonetic = 0

    enum CellType { case number, shared, inline, string, boolean, error, date }

    /// A problem with a cell or a row: the message, and the field (1-based) when it is known.
    struct Problem: Error {
        var message: String
        var field: Int?
    }

    mutating func read(into assembly: inout RecordAssembly, deliver: (inout RecordAssembly) throws -> Void) throws {
        do {
            try readRows(into: &assembly, deliver: deliver)
        } catch let problem as Problem {
            let field = problem.field ?? assembly.pendingFields + 1
            assembly.fieldCount = assembly.recordStartField
            assembly.byteCount = assembly.recordStartByte
            try deliver(&assembly)
            throw CSVSyntaxError(line: row, field: field, message: problem.message)
        }
    }

    private mutating func readRows(into assembly: inout RecordAssembly, deliver: (inout RecordAssembly) throws -> Void) throws {
        reading: while let node = try sheet.next() {
            switch node {
            case .start(let empty):
                if sheet.named("row") {
                    var number = row + 1
                    sheet.attributes { name, value in
                        if name.elementsEqual("r".utf8), let given = Int(String(decoding: value, as: UTF8.self)) { number = given }
                    }
                    row = number
                    column = 0
                    if empty { try endRow(&assembly, deliver) }
                } else if sheet.named("c") {
                    try startCell()
                    if empty { column = cellColumn + 1 }
                } else if sheet.named("v") {
                    inValue = !empty
                } else if sheet.named("is") {
                    if !empty { inInline += 1 }
                } else if sheet.named("rPh") {
                    if !empty { phonetic += 1 }
                }
            case .end:
                if sheet.named("c") {
                    try endCell(&assembly)
                } else if sheet.named("row") {
                    try endRow(&assembly, deliver)
                } else if sheet.named("v") {
                    inValue = false
                } else if sheet.named("is") {
                    inInline -= 1
                } else if sheet.named("rPh") {
                    phonetic -= 1
                } else if sheet.named("sheetData") {
                    break reading
                }
            case .text:
                guard inValue || (inInline > 0 && phonetic == 0) else { continue }
                text.append(contentsOf: sheet.value)
                if text.count > limits.field {
                    throw Problem(
                        message: "the cell is longer than \(CSVReader.limitText(limits.field)), the most soalloc reads in one field",
                        field: cellColumn + 1)
                }
            case .other: break
            }
        }
        try deliver(&assembly)
    }

    /// A cell begins: its column from its reference (`AB12`), its type and style.
    private mutating func startCell() throws {
        var place = column
        var type = CellType.number
        var style = 0
        sheet.attributes { name, value in
            switch name.count == 1 ? name[0] : 0 {
            case UInt8(ascii: "r"):
                var letters = 0
                for byte in value where byte >= 0x41 && byte <= 0x5A { letters = letters * 26 + Int(byte - 0x40) }
                if letters > 0 { place = letters - 1 }
            case UInt8(ascii: "t"):
                switch String(decoding: value, as: UTF8.self) {
                case "s": type = .shared
                case "inlineStr": type = .inline
                case "str": type = .string
                case "b": type = .boolean
                case "e": type = .error
                case "d": type = .date
                default: type = .number
                }
            case UInt8(ascii: "s"):
                style = Int(String(decoding: value, as: UTF8.self)) ?? 0
            default: break
            }
        }
        guard place >= column else {
            throw Problem(message: "the cells of the row are out of order (a cell before column \(column + 1) comes after it)", field: place + 1)
        }
        guard place < limits.fields else {
            throw Problem(
                message: "the record has more than \(limits.fields) fields, the most soalloc reads in one record",
                field: limits.fields + 1)
        }
        cellColumn = place
        cellType = type
        cellStyle = style
        text.removeAll(keepingCapacity: true)
    }

    /// A cell ends: its text as Excel shows it, after empty fields up to its column.
    private mutating func endCell(_ assembly: inout RecordAssembly) throws {
        defer { column = cellColumn + 1 }
        let shown: String?
        switch cellType {
        case .shared:
            guard let index = Int(String(decoding: text, as: UTF8.self)), index >= 0, index < strings.count else {
                throw Problem(message: "the cell names a shared string the workbook does not have", field: cellColumn + 1)
            }
            let column = cellColumn
            try strings.withString(index) { try place($0, at: column, &assembly) }
            return
        case .boolean: shown = text == [0x31] ? "TRUE" : "FALSE"
        case .date: shown = text.withUnsafeBufferPointer { ExcelValue.isoDate($0) }
        case .number:
            shown = text.withUnsafeBufferPointer { value in
                guard styles.isDate(style: cellStyle), let serial = Double(String(decoding: value, as: UTF8.self)) else {
                    return ExcelValue.general(value)
                }
                return ExcelValue.date(serial: serial, date1904: date1904) ?? ExcelValue.general(value)
            }
        case .inline, .string:
            if let plain = ExcelValue.unescaped(text[...]) { text = plain }
            shown = nil
        case .error: shown = nil
        }
        if var shown {
            try shown.withUTF8 { try place($0, at: cellColumn, &assembly) }
        } else {
            try text.withUnsafeBufferPointer { try place($0, at: cellColumn, &assembly) }
        }
    }

    /// Appends empty fields up to column `at`, then `value`.
    private func place(_ value: UnsafeBufferPointer<UInt8>, at: Int, _ assembly: inout RecordAssembly) throws {
        guard !value.isEmpty else { return }  // an empty cell is an empty field, added when a later one needs it
        while assembly.pendingFields < at { assembly.append(nil, 0) }
        assembly.append(value.baseAddress, value.count)
        if assembly.byteCount &- assembly.recordStartByte > limits.record {
            throw Problem(
                message: "the record is longer than \(CSVReader.limitText(limits.record)), the most soalloc reads in one record")
        }
    }

    /// A row ends: padded to the first record's width, and kept unless blank.
    private mutating func endRow(_ assembly: inout RecordAssembly, _ deliver: (inout RecordAssembly) throws -> Void) throws {
        if let width { while assembly.pendingFields < width { assembly.append(nil, 0) } }
        let before = assembly.recordCount
        assembly.commitRecord(line: row, offset: 0)
        if width == nil && assembly.recordCount > before { width = Int(assembly.records[before].fieldCount) }
        if assembly.recordCount >= CSVReader.batchRecords || assembly.byteCount >= CSVReader.batchBytes {
            try deliver(&assembly)
        }
    }
}
