// Makes one symbol-version requirement of a Linux shared library weak, so that the dynamic
// loader accepts the library on a system whose libstdc++ lacks that version.
//
// TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and requires
// GLIBCXX_3.4.32 for a single symbol, _ZSt21ios_base_library_initv. GCC 13 emits that reference
// into every object that includes <iostream> only to pin the library version; no code calls it.
// Debian 12 and Ubuntu 22.04 ship libstdc++ up to GLIBCXX_3.4.30, so the load fails. Setting
// VER_FLG_WEAK on that one requirement (a flag in the .gnu.version_r section) turns the hard
// failure into an accepted library.
//
// This file is compiled twice: by MSBuild as an inline task (Clip.NativeCompat.targets) and by
// the test project, which defines CLIP_ELF_PATCHER_TESTS to leave out the MSBuild task class.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Clip.Build
{
    /// <summary>The outcome of <see cref="ElfVersionPatcher.Patch"/>.</summary>
    public enum ElfPatchResult
    {
        /// <summary>The requirement was found and marked weak.</summary>
        Patched,

        /// <summary>The requirement was already weak; the file was not written.</summary>
        AlreadyWeak,

        /// <summary>The file does not require the version; the file was not written.</summary>
        NotRequired,
    }

    /// <summary>Reads and edits the version-requirement section of 64-bit little-endian ELF files.</summary>
    public static class ElfVersionPatcher
    {
        /// <summary>VER_FLG_WEAK from the ELF symbol-versioning specification.</summary>
        public const ushort VerFlagWeak = 0x2;

        private const uint SectionTypeGnuVerneed = 0x6ffffffe;
        private const int ElfHeaderSize = 64;
        private const int SectionHeaderSize = 64;
        private const int VerneedSize = 16;
        private const int VernauxSize = 16;

        /// <summary>
        /// Marks every requirement of <paramref name="versionName"/> in <paramref name="path"/> weak.
        /// The file is replaced atomically (a temporary file, then a rename), so a hard link to a
        /// package cache is never written through.
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file,
        /// or its section tables point outside the file.</exception>
        public static ElfPatchResult Patch(string path, string versionName)
        {
            byte[] image = File.ReadAllBytes(path);
            ElfPatchResult result = PatchInMemory(image, versionName, path);
            if (result != ElfPatchResult.Patched)
            {
                return result;
            }

            string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            string temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                File.WriteAllBytes(temporary, image);

                // File.Replace renames over the destination, so the old inode (which may be a hard
                // link into the package cache) keeps its bytes.
                File.Replace(temporary, path, null);
            }
            finally
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }

            return result;
        }

        /// <summary>Marks the requirements weak in a file image held in memory.</summary>
        /// <param name="image">The whole file; edited in place.</param>
        /// <param name="versionName">The version name, for example <c>GLIBCXX_3.4.32</c>.</param>
        /// <param name="sourceName">The file name used in error messages.</param>
        public static ElfPatchResult PatchInMemory(byte[] image, string versionName, string sourceName)
        {
            List<int> flagOffsets = FindRequirementFlagOffsets(image, versionName, sourceName);
            if (flagOffsets.Count == 0)
            {
                return ElfPatchResult.NotRequired;
            }

            bool changed = false;
            foreach (int offset in flagOffsets)
            {
                ushort flags = ReadUInt16(image, offset);
                if ((flags & VerFlagWeak) == 0)
                {
                    WriteUInt16(image, offset, (ushort)(flags | VerFlagWeak));
                    changed = true;
                }
            }

            return changed ? ElfPatchResult.Patched : ElfPatchResult.AlreadyWeak;
        }

        /// <summary>
        /// Returns the file offsets of the <c>vna_flags</c> fields of every requirement of
        /// <paramref name="versionName"/>.
        /// </summary>
        public static List<int> FindRequirementFlagOffsets(byte[] image, string versionName, string sourceName)
        {
            if (image.Length < ElfHeaderSize || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            {
                throw new InvalidDataException($"'{sourceName}' is not an ELF file (missing the 0x7F 'ELF' magic bytes); expected a Linux shared library.");
            }

            if (image[4] != 2 || image[5] != 1)
            {
                throw new InvalidDataException(
                    $"'{sourceName}' is an ELF file of class {image[4]} and data encoding {image[5]}; only 64-bit little-endian files (class 2, encoding 1) are supported.");
            }

            ulong sectionTableOffset = ReadUInt64(image, 0x28);
            ushort sectionHeaderSize = ReadUInt16(image, 0x3a);
            ushort sectionCount = ReadUInt16(image, 0x3c);
            if (sectionHeaderSize != SectionHeaderSize || sectionTableOffset + (ulong)sectionCount * SectionHeaderSize > (ulong)image.Length)
            {
                throw new InvalidDataException($"'{sourceName}' has a section header table outside the file (offset {sectionTableOffset}, {sectionCount} entries of {sectionHeaderSize} bytes, file size {image.Length}).");
            }

            var offsets = new List<int>();
            byte[] wanted = Encoding.ASCII.GetBytes(versionName);
            for (int section = 0; section < sectionCount; section++)
            {
                int header = checked((int)sectionTableOffset + section * SectionHeaderSize);
                if (ReadUInt32(image, header + 4) != SectionTypeGnuVerneed)
                {
                    continue;
                }

                int verneedOffset = CheckedOffset(ReadUInt64(image, header + 0x18), image, sourceName);
                uint linkedStrings = ReadUInt32(image, header + 0x28);
                uint entryCount = ReadUInt32(image, header + 0x2c);
                if (linkedStrings >= sectionCount)
                {
                    throw new InvalidDataException($"'{sourceName}' links its version requirements to section {linkedStrings}, but the file has {sectionCount} sections.");
                }

                int stringsHeader = checked((int)sectionTableOffset + (int)linkedStrings * SectionHeaderSize);
                int stringsOffset = CheckedOffset(ReadUInt64(image, stringsHeader + 0x18), image, sourceName);
                CollectMatches(image, verneedOffset, entryCount, stringsOffset, wanted, offsets, sourceName);
            }

            return offsets;
        }

        /// <summary>
        /// Reports whether the libstdc++ that the dynamic loader would pick on this machine
        /// defines <paramref name="versionName"/>. Returns false when no libstdc++ is found.
        /// </summary>
        /// <remarks>Looks in the standard library folders of Debian, Ubuntu, Fedora and Alpine and
        /// searches the library for the version name as a string.</remarks>
        public static bool HostLibStdCxxProvides(string versionName)
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
                "/lib/aarch64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6",
                "/lib64/libstdc++.so.6",
                "/usr/lib/libstdc++.so.6",
            };

            byte[] needle = Encoding.ASCII.GetBytes(versionName + "\0");
            foreach (string candidate in candidates)
            {
                if (!File.Exists(candidate))
                {
                    continue;
                }

                byte[] library = File.ReadAllBytes(candidate);
                return IndexOf(library, needle) >= 0;
            }

            return false;
        }

        private static void CollectMatches(byte[] image, int verneedOffset, uint entryCount, int stringsOffset, byte[] wanted, List<int> offsets, string sourceName)
        {
            int entry = verneedOffset;
            for (uint i = 0; i < entryCount; i++)
            {
                RequireRange(image, entry, VerneedSize, sourceName);
                ushort auxCount = ReadUInt16(image, entry + 2);
                int aux = checked(entry + (int)ReadUInt32(image, entry + 8));
                for (int j = 0; j < auxCount; j++)
                {
                    RequireRange(image, aux, VernauxSize, sourceName);
                    int name = checked(stringsOffset + (int)ReadUInt32(image, aux + 8));
                    if (NameEquals(image, name, wanted))
                    {
                        offsets.Add(aux + 4);
                    }

                    uint nextAux = ReadUInt32(image, aux + 12);
                    if (nextAux == 0)
                    {
                        break;
                    }

                    aux = checked(aux + (int)nextAux);
                }

                uint next = ReadUInt32(image, entry + 12);
                if (next == 0)
                {
                    break;
                }

                entry = checked(entry + (int)next);
            }
        }

        private static bool NameEquals(byte[] image, int offset, byte[] wanted)
        {
            if (offset < 0 || offset + wanted.Length >= image.Length)
            {
                return false;
            }

            for (int i = 0; i < wanted.Length; i++)
            {
                if (image[offset + i] != wanted[i])
                {
                    return false;
                }
            }

            return image[offset + wanted.Length] == 0;
        }

        // The inline MSBuild task compiles against .NET Standard 2.0, which has no span search.
        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int start = 0; start + needle.Length <= haystack.Length; start++)
            {
                int matched = 0;
                while (matched < needle.Length && haystack[start + matched] == needle[matched])
                {
                    matched++;
                }

                if (matched == needle.Length)
                {
                    return start;
                }
            }

            return -1;
        }

        private static int CheckedOffset(ulong offset, byte[] image, string sourceName)
        {
            if (offset >= (ulong)image.Length)
            {
                throw new InvalidDataException($"'{sourceName}' has a section at offset {offset}, past the end of the file ({image.Length} bytes).");
            }

            return (int)offset;
        }

        private static void RequireRange(byte[] image, int offset, int length, string sourceName)
        {
            if (offset < 0 || offset + length > image.Length)
            {
                throw new InvalidDataException($"'{sourceName}' has a version-requirement entry at offset {offset}, outside the file ({image.Length} bytes).");
            }
        }

        private static ushort ReadUInt16(byte[] b, int o) => (ushort)(b[o] | b[o + 1] << 8);

        private static void WriteUInt16(byte[] b, int o, ushort v)
        {
            b[o] = (byte)v;
            b[o + 1] = (byte)(v >> 8);
        }

        private static uint ReadUInt32(byte[] b, int o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);

        private static ulong ReadUInt64(byte[] b, int o) => ReadUInt32(b, o) | (ulong)ReadUInt32(b, o + 4) << 32;
    }

#if !CLIP_ELF_PATCHER_TESTS
    /// <summary>MSBuild task that applies <see cref="ElfVersionPatcher"/> to copied native libraries.</summary>
    public sealed class ClipPatchElfVersionRequirement : Microsoft.Build.Utilities.Task
    {
        /// <summary>The native libraries to patch.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary>The symbol version to make weak.</summary>
        [Microsoft.Build.Framework.Required]
        public string Version { get; set; } = "";

        /// <summary>
        /// Patch even when this machine's libstdc++ has the version: set for published output, which runs on
        /// other machines than the one that built it.
        /// </summary>
        public bool IgnoreHostLibrary { get; set; }

        /// <inheritdoc />
        public override bool Execute()
        {
            if (!IgnoreHostLibrary && ElfVersionPatcher.HostLibStdCxxProvides(Version))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"The host libstdc++ provides {Version}; native libraries are left unchanged.");
                return true;
            }

            foreach (Microsoft.Build.Framework.ITaskItem file in Files)
            {
                try
                {
                    ElfPatchResult result = ElfVersionPatcher.Patch(file.ItemSpec, Version);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, $"{file.ItemSpec}: {Version} requirement {result}.");
                }
                catch (Exception error) when (error is IOException || error is InvalidDataException || error is UnauthorizedAccessException)
                {
                    Log.LogError($"Could not mark the {Version} requirement of '{file.ItemSpec}' weak: {error.Message}");
                }
            }

            return !Log.HasLoggedErrors;
        }
    }
#endif
}
