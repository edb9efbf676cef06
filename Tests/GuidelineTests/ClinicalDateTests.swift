import Case
import Foundation
import PainPathTestKit
import Testing

/// FHIR dates as points in time: every fact date of every resource is read by `ClinicalDate.parse`, which decides
/// what is dated after *now* and what is current.
@Suite("clinical dates: FHIR date, dateTime and instant values")
struct ClinicalDateTests {
    private static func seconds(_ text: String) -> Double? { ClinicalDate.parse(text)?.timeIntervalSince1970 }

    /// `day` and `dateTime` write their digits in place: checked against Foundation's UTC formatting over eight
    /// centuries of days and times (leap days, year ends; Foundation's calendar is Julian before 1582), and years
    /// below 1000 with leading zeros.
    @Test func daysAndDateTimesAreWrittenAsFoundationFormatsThem() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func expected(_ date: Date) -> (day: String, dateTime: String) {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let day = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            return (day, day + String(format: "T%02d:%02d:%02dZ", parts.hour!, parts.minute!, parts.second!))
        }
        // From 1600-01-01 to 2400-01-01, 29 days and a few hours and seconds apart each step.
        var seconds = -11_676_096_000.0
        while seconds < 13_569_465_600 {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(ClinicalDate.day(date) == expected(date).day, "\(seconds)")
            #expect(ClinicalDate.dateTime(date) == expected(date).dateTime, "\(seconds)")
            seconds += 86_400 * 29 + 3_600 * 7 + 59
        }
        #expect(ClinicalDate.dateTime(Date(timeIntervalSince1970: 1_795_996_800 + 86_399)) == "2026-11-30T23:59:59Z")
        #expect(ClinicalDate.dateTime(Date(timeIntervalSince1970: -33_765_897_600 + 3_661)) == "0900-01-01T01:01:01Z")
        #expect(ClinicalDate.day(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01")
    }

    @Test func fullAndPartialDatesAreTheirFirstInstantInUTC() {
        #expect(Self.seconds("1970-01-01") == 0)
        #expect(Self.seconds("2026-11-30") == 1_795_996_800)
        #expect(Self.seconds("2026-11") == Self.seconds("2026-11-01"))
        #expect(Self.seconds("2026") == Self.seconds("2026-01-01"))
        #expect(Self.seconds("2024-02-29") == Self.seconds("2024-02-28").map { $0 + 86_400 })
    }

    @Test func timesZonesAndFractionsAreApplied() {
        let midnight = 1_795_996_800.0
        #expect(Self.seconds("2026-11-30T00:00:00Z") == midnight)
        #expect(Self.seconds("2026-11-30T09:15:30Z") == midnight + 9 * 3600 + 15 * 60 + 30)
        #expect(Self.seconds("2026-11-30T09:15:30.25Z") == midnight + 9 * 3600 + 15 * 60 + 30.25)
        #expect(Self.seconds("2026-11-30T09:15:30-04:00") == midnight + 13 * 3600 + 15 * 60 + 30)
        #expect(Self.seconds("2026-11-30T09:15:30+05:30") == midnight + 3 * 3600 + 45 * 60 + 30)
        #expect(Self.seconds("2026-11-30T09:15") == midnight + 9 * 3600 + 15 * 60, "no zone: read as UTC")
    }

    /// Every digit position is checked: the bytes just below `0` (`/`) and just above `9` (`:`) are not digits.
    @Test func malformedValuesAreNotDates() {
        let malformed = [
            "", "202", "20x6-11-30", "2026/11-30", "2026-1-30", "2026-13-01", "2026-00-10", "2026-11-32",
            "2026-11-00", "2026-11-30 09:15:30Z", "2026-11-30T9:15:30Z", "2026-11-30T24:00:00Z",
            "2026-11-30T09:60:00Z", "2026-11-30T09:15:30*04:00", "2026-11-30T09:15:30-0400",
            "/026-11-30", ":026-11-30", "2026-1/-30", "2026-11-3:", "2026-11-30T0/:15Z", "2026-11-30T09:1:Z",
        ]
        for text in malformed { #expect(ClinicalDate.parse(text) == nil, "\(text)") }
        #expect(ClinicalDate.parse(nil) == nil)
    }

    @Test func ageIsWholeYearsAtNowAndUnknownForABirthAfterNow() throws {
        let now = try #require(ClinicalDate.parse("2026-11-21T09:00:00Z"))
        #expect(ClinicalDate.age(birthDate: "1970-05-01", at: now) == 56)
        #expect(ClinicalDate.age(birthDate: "1970-11-22", at: now) == 55, "the day before the birthday")
        #expect(ClinicalDate.age(birthDate: "1970-11-21", at: now) == 56, "on the birthday")
        #expect(ClinicalDate.age(birthDate: "2026-11-21", at: now) == 0, "born today")
        #expect(ClinicalDate.age(birthDate: "2133-02-11", at: now) == nil, "a date-shifted record: born after now")
        #expect(ClinicalDate.age(birthDate: "unknown", at: now) == nil)
    }

    /// MIMIC-IV's FHIR demo (in PyPI's `healthchain` 0.16.1 cookbook) shifts every date of a patient into the 22nd
    /// century: read at today's clock its patients are born after now. Their age is unknown, not -107.
    @Test func aPatientBornAfterNowHasNoAge() throws {
        var fixture = chronicBack()
        fixture.birthDate = "2133-02-11"
        #expect(try fixture.facts().age == nil)
        #expect(try fixture.facts().birthDateAfterNow == "2133-02-11")
        fixture.birthDate = "1970-05-01"
        #expect(try fixture.facts().age == 56)
        #expect(try fixture.facts().birthDateAfterNow == nil)
    }
}
