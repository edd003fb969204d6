using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace HeadShotEvents.Service.Security;

/// <summary>Section <c>DataProtection</c>: how the shared key ring is protected in the job store.</summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 (.pfx) file whose certificate encrypts every key written to the store.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The .pfx password (a secret: from the environment or a secret store, never logged).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Earlier certificates, still able to decrypt keys written before the certificate was replaced.</summary>
    public List<string> PreviousCertificatePaths { get; set; } = [];
}

/// <summary>
/// The key ring signs every webhook token, so whoever reads it from the job store can forge
/// callbacks. Windows would have DPAPI, but DPAPI keys do not travel between machines and Linux
/// has no equivalent: here the protection at rest is an X.509 certificate that every instance is
/// given (a mounted secret), and the database alone is no longer enough to forge a token.
/// </summary>
public static class KeyRingProtection
{
    public static IDataProtectionBuilder ProtectKeysAtRest(this IDataProtectionBuilder builder, IConfiguration configuration)
    {
        var options = configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            // Data Protection itself warns at start that keys are stored unencrypted.
            return builder;
        }

        var current = Load(options.CertificatePath, options.CertificatePassword);
        var previous = options.PreviousCertificatePaths.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => Load(p, options.CertificatePassword));

        // Decrypting looks the certificate up in the machine's stores unless it is named here, and a
        // container has none: name the current one too.
        return builder.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate([current, .. previous]);
    }

    private static X509Certificate2 Load(string path, string? password)
    {
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        return certificate.HasPrivateKey
            ? certificate
            : throw new InvalidOperationException($"DataProtection certificate '{path}' has no private key: keys encrypted with it could not be read back.");
    }
}
