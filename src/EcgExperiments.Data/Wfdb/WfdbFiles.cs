namespace EcgExperiments.Data.Wfdb;

/// <summary>File-system helpers shared by the WFDB readers.</summary>
internal static class WfdbFiles
{
    /// <summary>
    /// Where <paramref name="path"/> points when it is a symbolic link whose target is missing (the layout git-annex
    /// and DVC leave before their content is fetched), else null.
    /// </summary>
    public static string? DanglingLinkTarget(string path)
    {
        // File.Exists is true for a dangling link itself, so ask for the link's final target.
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null) return null;
            var final = info.ResolveLinkTarget(returnFinalTarget: true);
            return final is { Exists: true } ? null : final?.FullName ?? info.LinkTarget;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>What to do about a dangling link, for error messages.</summary>
    public static string DanglingLinkAdvice(string target) =>
        $"is a symbolic link to {target}, which does not exist; fetch the linked content (e.g. `git annex get` or `dvc pull`) or copy the real file";
}
