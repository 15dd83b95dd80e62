/// The pixel size of an uploaded photo, read from its header the way Telegram must before it makes
/// thumbnails. PNG, JPEG and GIF are understood; anything else is refused as Telegram refuses what it
/// cannot decode (`IMAGE_PROCESS_FAILED`).
struct ImageDimensions: Hashable {
    var width: Int
    var height: Int

    init?(of bytes: [UInt8]) {
        if let size = Self.png(bytes) ?? Self.gif(bytes) ?? Self.jpeg(bytes), size.width > 0, size.height > 0 {
            self = size
        } else {
            return nil
        }
    }

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The signature, then the IHDR chunk: width and height as big-endian 32-bit integers.
    private static func png(_ bytes: [UInt8]) -> ImageDimensions? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 24, bytes.starts(with: signature), bytes[12..<16].elementsEqual("IHDR".utf8) else { return nil }
        return ImageDimensions(width: bigEndian(bytes[16..<20]), height: bigEndian(bytes[20..<24]))
    }

    /// `GIF87a`/`GIF89a`, then the logical screen size as little-endian 16-bit integers.
    private static func gif(_ bytes: [UInt8]) -> ImageDimensions? {
        guard bytes.count >= 10, bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) else { return nil }
        return ImageDimensions(width: Int(bytes[6]) | Int(bytes[7]) << 8, height: Int(bytes[8]) | Int(bytes[9]) << 8)
    }

    /// Walks the JPEG segments to the first start-of-frame marker, which holds height and width.
    private static func jpeg(_ bytes: [UInt8]) -> ImageDimensions? {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var index = 2
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            // SOF0...SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return ImageDimensions(width: bigEndian(bytes[(index + 7)..<(index + 9)]), height: bigEndian(bytes[(index + 5)..<(index + 7)]))
            }
            index += 2 + bigEndian(bytes[(index + 2)..<(index + 4)])
        }
        return nil
    }

    private static func bigEndian(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.reduce(0) { $0 << 8 | Int($1) }
    }

    /// The sizes Telegram keeps of a photo: scaled copies whose longer side is 90, 320, 800 and 1280
    /// pixels, as far as the original is larger, and the original itself up to 2560.
    func photoSizes() -> [ImageDimensions] {
        let longest = max(width, height)
        var sizes: [ImageDimensions] = []
        for bound in [90, 320, 800, 1280] where bound < longest {
            sizes.append(scaled(toLongestSide: bound))
        }
        sizes.append(longest > 2560 ? scaled(toLongestSide: 2560) : self)
        return sizes
    }

    private func scaled(toLongestSide bound: Int) -> ImageDimensions {
        let longest = max(width, height)
        return ImageDimensions(width: max(1, width * bound / longest), height: max(1, height * bound / longest))
    }
}
